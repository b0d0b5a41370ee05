// The per-channel reduction of the BatchNorm kernels (batch_norm.wgsl, batch_norm_backward.wgsl), prepended
// to them after math.wgsl: one workgroup per channel c of x [batch, channels, spatial]. The including shader
// binds `params` (with `channels` and `spatial`) and declares WG, the workgroup size (a power of two).

var<workgroup> shared_a: array<f32, WG>;
var<workgroup> shared_b: array<f32, WG>;
/** Flags of the non-finite values the threads met (the including shader says which), OR-ed. */
var<workgroup> shared_bad: array<u32, WG>;

/** Flat index of the channel's j-th value (j = n·spatial + i). */
fn index_of(c: u32, j: u32) -> u32 {
  return ((j / params.spatial) * params.channels + c) * params.spatial + j % params.spatial;
}

/**
 * Combines every thread's partial sums (a, b) and flags by a tree in workgroup memory, in a fixed order; the
 * totals are then in shared_a[0], shared_b[0] and shared_bad[0]. The whole workgroup calls it.
 */
fn combine(lid: u32, a: f32, b: f32, bad: u32) {
  shared_a[lid] = a;
  shared_b[lid] = b;
  shared_bad[lid] = bad;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      shared_a[lid] += shared_a[lid + half];
      shared_b[lid] += shared_b[lid + half];
      shared_bad[lid] |= shared_bad[lid + half];
    }
    workgroupBarrier();
  }
}
