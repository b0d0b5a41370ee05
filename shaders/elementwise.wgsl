// Elementwise template: out[i] = EXPR(x0, x1, ...) over a broadcast output of `size` elements.
// src/backend/webgpu/codegen/elementwise.ts fills the $-markers: $INPUTS (one read-only binding per input,
// in0 at binding 1 ...), $LOADS (`let xj = inj[off[j]];`), $EXPR (the op, or a fused chain of ops, written
// over x0..xn-1), $N_INPUTS, $OUT_TYPE, $OUT_BINDING. math.wgsl is prepended, and broadcast_walk.wgsl
// (input j's element offset at output index i) unless the kernel is CONTIGUOUS (every input has the
// output's layout).

struct Params {
  size: u32,
  rank: u32,
  groups_x: u32,
  value: u32,
  shape: array<vec4<u32>, 2>,
  // Input j's stride on axis d: strides[2j + d / 4][d % 4]. Up to 3 inputs of rank <= 8.
  strides: array<vec4<u32>, 6>,
}

@group(0) @binding(0) var<uniform> params: Params;
$INPUTS
@group(0) @binding($OUT_BINDING) var<storage, read_write> out: array<$OUT_TYPE>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (i >= params.size) { return; }
//#if CONTIGUOUS
  var off: array<u32, $N_INPUTS>;
  for (var j = 0u; j < $N_INPUTS; j++) { off[j] = i; }
//#else
  let off = broadcast_offsets(i);
//#endif
$LOADS
  out[i] = $EXPR;
}
