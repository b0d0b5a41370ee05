// Single-precision GEMM, C (= or +=) A·B, blocked as the fast BLAS kernels are (Goto/BLIS loop order):
//   for each NC-column block of B and KC-deep slice: pack B (stays in L2/L3)
//     for each MC-row block of A: pack A (stays in L2)
//       for each NR-column panel (stays in L1) and MR-row panel: the micro-kernel on one tile of C.
// Depth slices are balanced (576 → 2 × 288, not 512 + 64) and summed in a fixed order.
// `gemmPacked` runs the same blocking on operands the caller packed once for their full depth (the
// convolutions pack their weights once and their patches straight from the image).
import { alloc } from "./memory";
import { MR, NR, packA, packB } from "./gemm-pack";
import { tile } from "./gemm-kernel";

const KC: i32 = 320;
const MC: i32 = 128;
const NC: i32 = 2048;
/** Depths below this sweep C in address order (see macroKernel). */
const SHALLOW: i32 = 48;

let packedA: usize = 0;
let packedB: usize = 0;

/** Allocates the packing buffers on first use; false when memory is exhausted. */
export function gemmReady(): bool {
  if (!packedA) packedA = alloc(<usize>(MC * KC) << 2);
  if (!packedB) packedB = alloc(<usize>(KC * NC) << 2);
  return packedA != 0 && packedB != 0;
}

@inline function elem(base: usize, r: i32, c: i32, rs: i32, cs: i32): usize {
  return base + ((<usize>r * <usize>rs + <usize>c * <usize>cs) << 2);
}

/** Splits `total` into the fewest chunks of at most `limit`, of nearly equal size. */
@inline export function balanced(total: i32, limit: i32): i32 {
  const chunks = (total + limit - 1) / limit;
  return (total + chunks - 1) / chunks;
}

/**
 * Tiles of C[rows × cols] from packed panels: A panel i at pa + i·paStride, B panel j at pb + j·pbStride
 * (bytes), each `depth` steps deep. ldc in bytes.
 */
@inline function macroKernel(
  rows: i32, cols: i32, depth: i32, pa: usize, paStride: usize, pb: usize, pbStride: usize, c: usize, ldc: usize,
  accumulate: bool,
): void {
  if (depth < SHALLOW) {
    // Shallow products are bound by writing C: sweep it row panel by row panel, in address order.
    for (let ir = 0; ir < rows; ir += MR) {
      const a = pa + <usize>(ir / MR) * paStride;
      const tileRows = min(MR, rows - ir);
      for (let jr = 0; jr < cols; jr += NR) {
        const b = pb + <usize>(jr / NR) * pbStride;
        const cp = c + <usize>ir * ldc + (<usize>jr << 2);
        tile(depth, a, b, cp, ldc, tileRows, min(NR, cols - jr), accumulate);
      }
    }
    return;
  }
  // Otherwise keep one B panel in L1 while the A panels stream from L2.
  for (let jr = 0; jr < cols; jr += NR) {
    const b = pb + <usize>(jr / NR) * pbStride;
    const tileCols = min(NR, cols - jr);
    for (let ir = 0; ir < rows; ir += MR) {
      const a = pa + <usize>(ir / MR) * paStride;
      const cp = c + <usize>ir * ldc + (<usize>jr << 2);
      tile(depth, a, b, cp, ldc, min(MR, rows - ir), tileCols, accumulate);
    }
  }
}

function zeroRows(c: usize, ldcBytes: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcBytes, 0, <usize>n << 2);
}

/**
 * C[m×n] (row stride ldc, elements) = (accumulate ? C : 0) + A·B, where A(i, p) is at
 * a + (i·ars + p·acs)·4 and B(p, j) at b + (p·brs + j·bcs)·4. Call gemmReady() first.
 */
export function gemm(
  m: i32, n: i32, k: i32, a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, ldc: i32,
  accumulate: bool,
): void {
  if (m <= 0 || n <= 0) return;
  const ldcBytes = <usize>ldc << 2;
  if (k <= 0) {
    if (!accumulate) zeroRows(c, ldcBytes, m, n);
    return;
  }
  const kc = balanced(k, KC);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += kc) {
      const depth = min(kc, k - p0);
      const acc = accumulate || p0 > 0;
      packB(packedB, elem(b, p0, j0, brs, bcs), brs, bcs, depth, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(packedA, elem(a, i0, p0, ars, acs), ars, acs, mc, depth);
        const cp = c + <usize>i0 * ldcBytes + (<usize>j0 << 2);
        const stride = <usize>depth << 2;
        if (acc) macroKernel(mc, nc, depth, packedA, stride * MR, packedB, stride * NR, cp, ldcBytes, true);
        else macroKernel(mc, nc, depth, packedA, stride * MR, packedB, stride * NR, cp, ldcBytes, false);
      }
    }
  }
}

/**
 * As gemm, for A packed by packA over rows [0, m) and its full depth k, and B packed by packB (or
 * im2colPacked) over columns [0, n) and depth k. Depth is still sliced so that panels stay in cache.
 */
export function gemmPacked(m: i32, n: i32, k: i32, pa: usize, pb: usize, c: usize, ldc: i32, accumulate: bool): void {
  if (m <= 0 || n <= 0) return;
  const ldcBytes = <usize>ldc << 2;
  if (k <= 0) {
    if (!accumulate) zeroRows(c, ldcBytes, m, n);
    return;
  }
  const kc = balanced(k, KC);
  const paStride = <usize>(k * MR) << 2, pbStride = <usize>(k * NR) << 2;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += kc) {
      const depth = min(kc, k - p0);
      const acc = accumulate || p0 > 0;
      const b = pb + <usize>(j0 / NR) * pbStride + (<usize>(p0 * NR) << 2);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const a = pa + <usize>(i0 / MR) * paStride + (<usize>(p0 * MR) << 2);
        const cp = c + <usize>i0 * ldcBytes + (<usize>j0 << 2);
        const mc = min(MC, m - i0);
        if (acc) macroKernel(mc, nc, depth, a, paStride, b, pbStride, cp, ldcBytes, true);
        else macroKernel(mc, nc, depth, a, paStride, b, pbStride, cp, ldcBytes, false);
      }
    }
  }
}
