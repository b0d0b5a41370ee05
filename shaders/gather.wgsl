// Gather along an axis: data viewed as [outer, axis, inner], out as [outer, count, inner], indices as
// [count] (or [outer, count] with BATCHED). out[o, j, i] = data[o, idx, i], 0 where idx is out of range.
// 32-bit words, so float32 and int32 data share the kernel.

struct Params {
  outer: u32,
  axis: u32,
  inner: u32,
  count: u32,
  groups_x: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> data: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (e >= params.outer * params.count * params.inner) { return; }
  let i = e % params.inner;
  let oj = e / params.inner;
  let o = oj / params.count;
  let j = oj % params.count;
//#if BATCHED
  let index = idx[oj];
//#else
  let index = idx[j];
//#endif
  var value = 0u;
  if (index >= 0 && u32(index) < params.axis) {
    value = data[(o * params.axis + u32(index)) * params.inner + i];
  }
  out[e] = value;
}
