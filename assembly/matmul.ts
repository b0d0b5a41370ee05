// Batched matrix product out[t] = op(a[t]) · op(b[t]) through the GEMM; transposes are strides.
// Split into parts (parts.ts) by row blocks of the batch's matrices: rows of C are independent.
import { gemm, gemmReady } from "./gemm";
import { MR } from "./gemm-pack";
import { Block, partStart } from "./parts";
import { STATUS_OK, STATUS_OUT_OF_MEMORY } from "./status";

/** See MatmulParams in src/backend/backend.ts; batch strides in elements (0 broadcasts). Part `part` of `parts`. */
export function matmul(
  a: usize, b: usize, c: usize, batch: i32, m: i32, n: i32, k: i32, transA: i32, transB: i32, aBatchStride: i32,
  bBatchStride: i32, part: i32, parts: i32,
): i32 {
  if (!gemmReady()) return STATUS_OUT_OF_MEMORY;
  const ars = transA ? 1 : k, acs = transA ? m : 1;
  const brs = transB ? 1 : n, bcs = transB ? k : 1;
  if (batch > 1 && bBatchStride == 0 && !transA && aBatchStride == m * k) {
    // One B for consecutive row-major A matrices: a single GEMM with the batches stacked as rows.
    m *= batch;
    batch = 1;
  }
  // Work items: (matrix t, row block) with enough blocks per matrix that every part gets some.
  const blocks = batch >= parts ? 1 : (parts + batch - 1) / batch;
  const items = batch * blocks;
  for (let i = partStart(items, part, parts), end = partStart(items, part + 1, parts); i < end; i++) {
    const t = i / blocks;
    Block.of(m, i % blocks, blocks, MR);
    const r0 = Block.start, rows = Block.end - r0;
    gemm(
      rows, n, k, a + ((<usize>t * <usize>aBatchStride + <usize>r0 * <usize>ars) << 2), ars, acs,
      b + (<usize>t * <usize>bBatchStride << 2), brs, bcs, c + ((<usize>t * <usize>(m * n) + <usize>r0 * <usize>n) << 2), n, false,
    );
  }
  return STATUS_OK;
}
