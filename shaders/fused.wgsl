// Fused elementwise program: out[i] = the last value of a chain of elementwise ops (one `let` per step),
// over float inputs broadcast to the output. src/backend/webgpu/codegen/program.ts fills the $-markers:
// $INPUTS (one read-only binding per input), $BODY (loads and steps), $RESULT, $N_WALK (inputs that walk
// the index), $STRIDE_VEC4S, $OUT_BINDING. math.wgsl is prepended, and broadcast_walk.wgsl when some input walks.
// Inputs come in three kinds, fixed per pipeline: contiguous ones read in[i], scalars in[0], and only the
// rest ("walking" inputs, broadcast along some axes) decode the output index (broadcast_walk.wgsl).

struct Params {
  size: u32,
  rank: u32,
  groups_x: u32,
  _pad: u32,
  shape: array<vec4<u32>, 2>,
  // Walking input j's stride on axis d: strides[2j + d / 4][d % 4].
  strides: array<vec4<u32>, $STRIDE_VEC4S>,
}

@group(0) @binding(0) var<uniform> params: Params;
$INPUTS
@group(0) @binding($OUT_BINDING) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (i >= params.size) { return; }
//#if WALK
  let off = broadcast_offsets(i);
//#endif
$BODY
  out[i] = $RESULT;
}
