/** Shape arithmetic: sizes, row-major strides, NumPy broadcasting, axis normalisation. */
import { KshotError } from "./errors.ts";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Most elements of one tensor (8 GiB of float32): more than any kshot backend can hold. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31;

/** The size of a tensor of `shape`, or a KshotError naming `what` when no backend could hold it. */
export function checkedSize(shape: Shape, what: string): number {
  const n = sizeOf(shape);
  if (n > MAX_TENSOR_ELEMENTS) throw new KshotError(`${what}: shape ${formatShape(shape)} has ${n} elements; a tensor holds at most ${MAX_TENSOR_ELEMENTS}`);
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** The NumPy broadcast of several shapes, or a KshotError naming them. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new KshotError(`${op}: shapes ${shapes.map(formatShape).join(" and ")} cannot be broadcast together`);
      }
    }
  }
  return out;
}

/** Strides of `shape` read as the broadcast `outShape`: 0 on broadcast axes, leading axes padded. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const pad = outShape.length - shape.length;
  return outShape.map((_, i) => (i < pad || shape[i - pad] === 1 ? 0 : strides[i - pad]));
}

/** Axes as non-negative, sorted, unique; `undefined` means all axes. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : [...axes];
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new KshotError(`${op}: axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    return a < 0 ? a + rank : a;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  return normalizeAxes(op, axis, rank)[0];
}

/** Validates a shape given by a user: non-negative integers. */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new KshotError(`${op}: expected a shape of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}
