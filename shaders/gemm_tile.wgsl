// Tiled GEMM core shared by matmul and the three convolutions (appended to the kernel's own file).
// C[batch][m][n] = sum_k A[batch][m][k] * B[batch][k][n]. A workgroup of TX x TY threads computes one
// TM x TN tile of C (TM = 4 TY, TN = 4 TX): each thread 4 rows (lid.y + i TY) x 4 adjacent columns,
// kept as four vec4 accumulators. K advances TK = 16 at a time through workgroup memory: A as scalars
// [k][m], B as vec4 [k][n/4], so the inner loop is 4 scalar + 1 vec4 loads for 16 multiply-adds.
// Split-K: with k_split > 1 the workgroups of one output tile each take k_chunk (a multiple of TK) of K
// and store_c writes partial sums that a reduce dispatch adds in a fixed order (deterministic).
// The kernel file provides: `params` whose struct starts with batch, m, n, k, k_split, k_chunk, groups_x, tk;
// fn fill_a(batch, m0, k0, tid) and fn fill_b(batch, k0, n0, tid), which fill tile_a / tile_b with zeros
// outside the matrices; fn store_c(batch, split, row, col, v) for columns col .. col + 3 (clip at n).
// Markers: $TX, $TY; flag SOFTWARE (CPU adapters: llvmpipe spends seconds compiling the unrolled inner
// loop, so there its bound comes from params.tk = TK, which the compiler cannot see).

const TK: u32 = 16u;
const TX: u32 = $TX;
const TY: u32 = $TY;
const TM: u32 = TY * 4u;
const TN: u32 = TX * 4u;
const THREADS: u32 = TX * TY;

var<workgroup> tile_a: array<f32, TK * TM>;
var<workgroup> tile_b: array<vec4<f32>, TK * TX>;

@compute @workgroup_size(TX, TY)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let tiles_n = (params.n + TN - 1u) / TN;
  let tiles = ((params.m + TM - 1u) / TM) * tiles_n;
  let wg = wid.x + wid.y * params.groups_x;
  if (wg >= tiles * params.batch * params.k_split) { return; }
  let batch_split = wg / tiles;
  let batch = batch_split / params.k_split;
  let split = batch_split % params.k_split;
  let t = wg % tiles;
  let m0 = (t / tiles_n) * TM;
  let n0 = (t % tiles_n) * TN;
  let k_begin = split * params.k_chunk;
  let k_end = min(params.k, k_begin + params.k_chunk);

  var acc: array<vec4<f32>, 4>;
  for (var k0 = k_begin; k0 < k_end; k0 += TK) {
    fill_a(batch, m0, k0, tid);
    fill_b(batch, k0, n0, tid);
    workgroupBarrier();
//#if SOFTWARE
    let tk = params.tk;
//#else
    let tk = TK;
//#endif
    for (var kk = 0u; kk < tk; kk++) {
      let b = tile_b[kk * TX + lid.x];
      let a = kk * TM + lid.y;
      acc[0] += tile_a[a] * b;
      acc[1] += tile_a[a + TY] * b;
      acc[2] += tile_a[a + 2u * TY] * b;
      acc[3] += tile_a[a + 3u * TY] * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = m0 + lid.y + i * TY;
    if (row < params.m && n0 + lid.x * 4u < params.n) {
      store_c(batch, split, row, n0 + lid.x * 4u, acc[i]);
    }
  }
}
