// The adjoint of training-mode BatchNorm (Backend.batchNormBackward): one workgroup per channel. Its
// threads stride over the channel's M = batch·spatial values summing dy and dy·(x − μ), combine the partial
// sums by a tree in workgroup memory (a fixed order), then write sums (Σdy, s·Σdy·(x − μ)) and
// dx = ((dy·k1) + ((x − μ)·k2)) + k3, k1 = γs, k2 = −γs³B/M, k3 = −γsA/M. The sums are f32 (WGSL has no f64).
// WGSL may assume finite math: where x or the statistics are not finite (found by their bits), s·Σdy·(x − μ)
// and dx are NaN, as in the reference. math.wgsl and channel_sums.wgsl (index_of, combine) are prepended.
// Marker: $WG (a power of two).

struct Params {
  batch: u32,
  channels: u32,
  spatial: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> sums: array<f32>;

const WG: u32 = $WG;

fn finite(v: f32) -> bool { return !is_nan(v) && !is_inf(v); }

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * params.groups_x;
  // Uniform per workgroup: the whole workgroup leaves together, before any barrier.
  if (c >= params.channels) { return; }
  let m = params.batch * params.spatial;
  let mean = stats[c];
  let s = stats[params.channels + c];
  var a = 0.0;
  var b = 0.0;
  var bad = select(1u, 0u, finite(mean) && finite(s));
  for (var j = lid; j < m; j += WG) {
    let o = index_of(c, j);
    let g = dy[o];
    let v = x[o];
    bad |= select(1u, 0u, finite(v));
    a += g;
    b += g * (v - mean);
  }
  combine(lid, a, b, bad);
  let total_a = shared_a[0];
  let total_b = shared_b[0];
  let broken = shared_bad[0] != 0u;
  if (lid == 0u) {
    sums[c] = total_a;
    sums[params.channels + c] = select(s * total_b, f32_nan(), broken);
  }
  let count = f32(m);
  let gs = gamma[c] * s;
  let k1 = gs;
  let k2 = -gs * s * s * total_b / count;
  let k3 = -gs * total_a / count;
  for (var j = lid; j < m; j += WG) {
    let o = index_of(c, j);
    dx[o] = select((dy[o] * k1 + (x[o] - mean) * k2) + k3, f32_nan(), broken);
  }
}
