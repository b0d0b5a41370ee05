/**
 * Shortening a strided iteration before it reaches the kernels: 1-sized axes are dropped and an axis is
 * merged into the next inner one when every operand steps through both as through one axis. Same-shape
 * operands become one contiguous axis, a per-channel broadcast becomes [outer, channels, inner], and so on;
 * the kernels then only look at the innermost axis's strides to pick a fast path. Runs on every
 * elementwise call, so it allocates nothing.
 */

/** Inputs of a fused elementwise program (MAX_PROGRAM_INPUTS) at most. */
const MAX_OPERANDS = 6;
const MAX_AXES = 64;
const groupSizes = new Int32Array(MAX_AXES);
const groupStrides = Array.from({ length: MAX_OPERANDS }, () => new Int32Array(MAX_AXES));

/**
 * Writes the collapsed layout [rank, shape[rank], strides of operand 0 [rank], operand 1, ...] into
 * `out` from `base` and returns its rank; nothing is written when that rank exceeds `maxRank`.
 */
export function collapseInto(
  shape: readonly number[], strides: readonly (readonly number[])[], out: Int32Array, base: number, maxRank: number,
): number {
  const operands = strides.length;
  // Groups are built innermost first (index 0 = innermost).
  let n = 0;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 1) continue;
    let mergeable = n > 0;
    for (let k = 0; k < operands && mergeable; k++) {
      mergeable = strides[k][d] === groupStrides[k][n - 1] * groupSizes[n - 1];
    }
    if (mergeable) {
      groupSizes[n - 1] *= size;
    } else {
      if (n === MAX_AXES) return MAX_AXES + 1;
      groupSizes[n] = size;
      for (let k = 0; k < operands; k++) groupStrides[k][n] = strides[k][d];
      n++;
    }
  }
  if (n > maxRank) return n;
  out[base] = n;
  for (let i = 0; i < n; i++) {
    out[base + 1 + i] = groupSizes[n - 1 - i];
    for (let k = 0; k < operands; k++) out[base + 1 + (k + 1) * n + i] = groupStrides[k][n - 1 - i];
  }
  return n;
}
