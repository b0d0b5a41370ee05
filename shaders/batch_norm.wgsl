// Training-mode BatchNorm over x [batch, channels, spatial] (Backend.batchNorm): one workgroup per
// channel. Its threads stride over the channel's M = batch·spatial values summing x − K and (x − K)² (K the
// channel's first value), combine the partial sums by a tree in workgroup memory (a fixed order), then
// write stats (μ, s = 1/√(variance + eps)) and y = ((x − μ)·(s·γ)) + β. WGSL has no f64: the sums are f32.
// WGSL may assume finite math, so NaN and ±Inf are found by their bits and the channel's results set as the
// reference computes them: μ = ±Inf (one kind of infinity, none first) or NaN, s and y NaN.
// math.wgsl and channel_sums.wgsl (index_of, combine) are prepended. Marker: $WG (a power of two).

struct Params {
  batch: u32,
  channels: u32,
  spatial: u32,
  groups_x: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

const WG: u32 = $WG;

/** The flags of combine() here: bit 1 a NaN, 2 a +Inf, 4 a −Inf. */
fn special_bits(v: f32) -> u32 {
  if (is_nan(v)) { return 1u; }
  if (is_inf(v)) { return select(4u, 2u, v > 0.0); }
  return 0u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * params.groups_x;
  // Uniform per workgroup: the whole workgroup leaves together, before any barrier.
  if (c >= params.channels) { return; }
  let m = params.batch * params.spatial;
  var shift = 0.0;
  if (m > 0u) { shift = x[index_of(c, 0u)]; }
  var a = 0.0;
  var b = 0.0;
  var bad = 0u;
  for (var j = lid; j < m; j += WG) {
    let v = x[index_of(c, j)];
    bad |= special_bits(v);
    let d = v - shift;
    a += d;
    b += d * d;
  }
  combine(lid, a, b, bad);
  let count = f32(m);
  let sa = shared_a[0];
  let d = sa / count;
  let variance = max((shared_b[0] - sa * d) / count, 0.0);
  var mean = shift + d;
  var s = 1.0 / sqrt(variance + params.eps);
  let flags = shared_bad[0];
  if (flags != 0u || m == 0u) {
    // Σ(x − K) meets Inf − Inf (or NaN) unless every special is one infinity and K is finite.
    s = f32_nan();
    mean = f32_nan();
    if ((flags == 2u || flags == 4u) && special_bits(shift) == 0u) { mean = select(-f32_inf(), f32_inf(), flags == 2u); }
  }
  if (lid == 0u) {
    stats[c] = mean;
    stats[params.channels + c] = s;
  }
  let k = s * gamma[c];
  let shift_out = beta[c];
  for (var j = lid; j < m; j += WG) {
    let o = index_of(c, j);
    y[o] = select((x[o] - mean) * k + shift_out, f32_nan(), flags != 0u);
  }
}
