// Batched matrix product out[t] = op(a[t]) · op(b[t]) through the GEMM; transposes are strides.
import { gemm, gemmReady } from "./gemm";
import { STATUS_OK, STATUS_OUT_OF_MEMORY } from "./status";

/** See MatmulParams in src/backend/backend.ts; batch strides in elements (0 broadcasts). */
export function matmul(
  a: usize, b: usize, c: usize, batch: i32, m: i32, n: i32, k: i32, transA: i32, transB: i32, aBatchStride: i32,
  bBatchStride: i32,
): i32 {
  if (!gemmReady()) return STATUS_OUT_OF_MEMORY;
  const ars = transA ? 1 : k, acs = transA ? m : 1;
  const brs = transB ? 1 : n, bcs = transB ? k : 1;
  if (batch > 1 && bBatchStride == 0 && !transA && aBatchStride == m * k) {
    // One B for consecutive row-major A matrices: a single GEMM with the batches stacked as rows.
    gemm(batch * m, n, k, a, ars, acs, b, brs, bcs, c, n, false);
    return STATUS_OK;
  }
  for (let t = 0; t < batch; t++) {
    gemm(
      m, n, k, a + (<usize>t * <usize>aBatchStride << 2), ars, acs, b + (<usize>t * <usize>bBatchStride << 2), brs, bcs,
      c + (<usize>t * <usize>(m * n) << 2), n, false,
    );
  }
  return STATUS_OK;
}
