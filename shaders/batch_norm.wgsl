// Training-mode BatchNorm over x [batch, channels, spatial] (Backend.batchNorm): one workgroup per
// channel. Its threads stride over the channel's M = batch·spatial values summing x − K and (x − K)² (K the
// channel's first value), combine the partial sums by a tree in workgroup memory (a fixed order), then
// write stats (μ, s = 1/√(variance + eps)) and y = ((x − μ)·(s·γ)) + β. WGSL has no f64: the sums are f32.
// Marker: $WG (a power of two).

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

var<workgroup> shared_a: array<f32, WG>;
var<workgroup> shared_b: array<f32, WG>;

/** Flat index of the channel's j-th value (j = n·spatial + i). */
fn index_of(c: u32, j: u32) -> u32 {
  return ((j / params.spatial) * params.channels + c) * params.spatial + j % params.spatial;
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
  for (var j = lid; j < m; j += WG) {
    let d = x[index_of(c, j)] - shift;
    a += d;
    b += d * d;
  }
  shared_a[lid] = a;
  shared_b[lid] = b;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      shared_a[lid] += shared_a[lid + half];
      shared_b[lid] += shared_b[lid + half];
    }
    workgroupBarrier();
  }
  let count = f32(m);
  let sa = shared_a[0];
  let d = sa / count;
  let variance = max((shared_b[0] - sa * d) / count, 0.0);
  let mean = shift + d;
  let s = 1.0 / sqrt(variance + params.eps);
  if (lid == 0u) {
    stats[c] = mean;
    stats[params.channels + c] = s;
  }
  let k = s * gamma[c];
  let shift_out = beta[c];
  for (var j = lid; j < m; j += WG) {
    let o = index_of(c, j);
    y[o] = (x[o] - mean) * k + shift_out;
  }
}
