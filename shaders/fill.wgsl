// out[i] = the 32-bit pattern `bits` (the CPU encodes a float32 or int32 value), for either dtype.
struct Params {
  size: u32,
  bits: u32,
  groups_x: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (i < params.size) { out[i] = params.bits; }
}
