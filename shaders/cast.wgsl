// out[i] = x[i] converted: float32 -> int32 truncates toward zero and wraps like JavaScript's ToInt32
// (NaN and Inf give 0); int32 -> float32 rounds to nearest. math.wgsl is prepended.
struct Params {
  size: u32,
  groups_x: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
//#if TO_INT
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
//#else
@group(0) @binding(1) var<storage, read> x: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
//#endif

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (i >= params.size) { return; }
//#if TO_INT
  out[i] = f32_to_i32_wrap(x[i]);
//#else
  out[i] = f32(x[i]);
//#endif
}
