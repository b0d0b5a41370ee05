/**
 * Shapes with one stride list per operand, reduced to the fewest axes that address the same elements:
 * extent-1 axes go, and neighbouring axes merge where every operand steps through them as one.
 * A broadcast add of [64, 1, 28, 28] + [1, 1, 28, 28] becomes 2 axes, a contiguous one 1 axis.
 */
import { KshotError } from "../../errors.ts";

export interface StridedShape {
  readonly shape: readonly number[];
  /** strides[k][d]: operand k's stride on axis d. */
  readonly strides: readonly (readonly number[])[];
}

/** The rank the WGSL kernels take (two vec4 of extents). */
export const MAX_KERNEL_RANK = 8;

export function collapseAxes(shape: readonly number[], strides: readonly (readonly number[])[]): StridedShape {
  for (const s of strides) {
    if (s.length !== shape.length) throw new KshotError(`webgpu: expected strides of rank ${shape.length}, got rank ${s.length}`);
  }
  if (shape.some((e) => e === 0)) return { shape: [0], strides: strides.map(() => [0]) };
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const extent = shape[d];
    if (extent === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * extent);
    if (mergeable) {
      outShape[last] *= extent;
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(extent);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  if (outShape.length > MAX_KERNEL_RANK) {
    throw new KshotError(`webgpu: expected at most ${MAX_KERNEL_RANK} axes after merging, got [${shape.join(", ")}]`);
  }
  return { shape: outShape, strides: outStrides };
}

/** Whether every operand walks the (collapsed) elements in order: offset = element index. */
export function isContiguous(s: StridedShape): boolean {
  return s.shape.length === 1 && s.strides.every((st) => st[0] === 1 || s.shape[0] <= 1);
}
