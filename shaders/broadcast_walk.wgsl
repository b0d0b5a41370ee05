// The broadcast index walk of elementwise.wgsl and fused.wgsl: the element offset of each of $N_WALK
// inputs at output index i, found by decoding i through the collapsed output shape (params.shape, rank
// params.rank) and summing input j's strides params.strides[2j + d / 4][d % 4] (0 on broadcast axes).
// Both templates declare `params` with these fields; src/backend/webgpu/codegen/elementwise.ts fills $N_WALK.

fn broadcast_offsets(i: u32) -> array<u32, $N_WALK> {
  var off: array<u32, $N_WALK>;
  var rem = i;
  for (var d = params.rank; d > 0u; d--) {
    let axis = d - 1u;
    let extent = params.shape[axis / 4u][axis % 4u];
    let coord = rem % extent;
    rem = rem / extent;
    for (var j = 0u; j < $N_WALK; j++) {
      off[j] += coord * params.strides[2u * j + axis / 4u][axis % 4u];
    }
  }
  return off;
}
