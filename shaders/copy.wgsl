// Strided copy of 32-bit words (float32 or int32 alike):
// dst[dst_offset + Σ c_d·dst_stride_d] = src[src_offset + Σ c_d·src_stride_d] over `shape` (rank <= 8,
// after the host merged axes that are contiguous in both). dst elements outside the pattern are untouched.
// Strides are signed: a negative stride walks backwards (flips).
struct Params {
  size: u32,
  rank: u32,
  groups_x: u32,
  src_offset: u32,
  dst_offset: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  shape: array<vec4<u32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<i32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (i >= params.size) { return; }
  var rem = i;
  var s = i32(params.src_offset);
  var t = i32(params.dst_offset);
  for (var d = params.rank; d > 0u; d--) {
    let axis = d - 1u;
    let extent = params.shape[axis / 4u][axis % 4u];
    let coord = i32(rem % extent);
    rem = rem / extent;
    s += coord * params.src_strides[axis / 4u][axis % 4u];
    t += coord * params.dst_strides[axis / 4u][axis % 4u];
  }
  dst[u32(t)] = src[u32(s)];
}
