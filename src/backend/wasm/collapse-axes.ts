/**
 * Shortening a strided iteration before it reaches the kernels: 1-sized axes are dropped and an axis is
 * merged into the next inner one when every operand steps through both as through one axis. Same-shape
 * operands become one contiguous axis, a per-channel broadcast becomes [outer, channels, inner], and so on;
 * the kernels then only look at the innermost axis's strides to pick a fast path.
 */
export interface StridedLayout {
  readonly shape: number[];
  /** One stride array per operand, over `shape`'s axes. */
  readonly strides: number[][];
}

export function collapseAxes(shape: readonly number[], strides: readonly (readonly number[])[]): StridedLayout {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 1) continue;
    // outShape[0] is the merged group just inside axis d.
    const mergeable = outShape.length > 0 && strides.every((s, k) => s[d] === outStrides[k][0] * outShape[0]);
    if (mergeable) {
      outShape[0] *= size;
    } else {
      outShape.unshift(size);
      strides.forEach((s, k) => outStrides[k].unshift(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}
