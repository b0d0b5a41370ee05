/** Data movement: reshape (a view), transpose, slice, pad, concat, stack. All through the strided copy kernel. */
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape, normalizeAxis, sizeOf, stridesOf, type Shape } from "../shape.ts";
import { emptyTensor, type Tensor, viewOf } from "../tensor.ts";
import { full } from "./creation.ts";

/** Same data, another shape of the same size; one entry may be −1 (inferred). Shares memory. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkInput("reshape", x);
  const known = shape.filter((d) => d !== -1);
  const inferredCount = shape.length - known.length;
  const knownSize = sizeOf(known);
  if (inferredCount > 1 || !known.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new KshotError(`reshape: invalid target shape ${formatShape(shape)}`);
  }
  const target = shape.map((d) => (d === -1 ? (knownSize === 0 ? 0 : x.size / knownSize) : d));
  if (sizeOf(target) !== x.size || !target.every(Number.isInteger)) {
    throw new KshotError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`);
  }
  const from = x.shape;
  return record("reshape", viewOf(x, target), [x], (g) => [reshape(g, from)]);
}

/** Flattens all axes after the first: [n, ...] → [n, rest]. */
export function flatten2d(x: Tensor): Tensor {
  return reshape(x, [x.shape[0], -1]);
}

/** Inserts an axis of size 1. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  if (!Number.isInteger(a) || a < 0 || a > x.rank) throw new KshotError(`expandDims: axis ${axis} is out of range for rank ${x.rank}`);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes the given axes of size 1 (all of them when none given). */
export function squeeze(x: Tensor, axes?: number[]): Tensor {
  const drop = axes === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : axes.map((a) => normalizeAxis("squeeze", a, x.rank));
  for (const a of drop) if (x.shape[a] !== 1) throw new KshotError(`squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => !drop.includes(i)));
}

/** Permutes axes; `perm` defaults to reversing them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkInput("transpose", x);
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new KshotError(`transpose: ${JSON.stringify(p)} is not a permutation of the ${x.rank} axes of ${formatShape(x.shape)}`);
  }
  const outShape = p.map((a) => x.shape[a]);
  const y = emptyTensor(outShape, x.dtype);
  const inStrides = stridesOf(x.shape);
  backend().copy(x.buffer, y.buffer, { shape: outShape, srcStrides: p.map((a) => inStrides[a]), srcOffset: 0, dstStrides: stridesOf(outShape), dstOffset: 0 });
  const inverse = p.map((_, i) => p.indexOf(i));
  return record("transpose", y, [x], (g) => [transpose(g, inverse)]);
}

/** Swaps the last two axes (a matrix transpose over a batch). */
export function matrixTranspose(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

/** The block starting at `begin` with extent `size` (−1: to the end). */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkInput("slice", x);
  if (begin.length !== x.rank || (size && size.length !== x.rank)) {
    throw new KshotError(`slice: begin/size must have ${x.rank} entries for ${formatShape(x.shape)}, got ${JSON.stringify(begin)} / ${JSON.stringify(size)}`);
  }
  const extent = x.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - begin[i] : size[i]));
  x.shape.forEach((d, i) => {
    if (!Number.isInteger(begin[i]) || begin[i] < 0 || extent[i] < 0 || begin[i] + extent[i] > d) {
      throw new KshotError(`slice: begin ${JSON.stringify(begin)} size ${JSON.stringify(extent)} is outside ${formatShape(x.shape)}`);
    }
  });
  const y = emptyTensor(extent, x.dtype);
  const inStrides = stridesOf(x.shape);
  const offset = begin.reduce((acc, b, i) => acc + b * inStrides[i], 0);
  backend().copy(x.buffer, y.buffer, { shape: extent, srcStrides: inStrides, srcOffset: offset, dstStrides: stridesOf(extent), dstOffset: 0 });
  const from = x.shape;
  return record("slice", y, [x], (g) => [pad(g, from.map((d, i) => [begin[i], d - begin[i] - extent[i]]))]);
}

/** Pads each axis with `[before, after]` elements of `value`. */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  checkInput("pad", x);
  if (paddings.length !== x.rank || !paddings.every(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0)) {
    throw new KshotError(`pad: expected ${x.rank} pairs of non-negative integers, got ${JSON.stringify(paddings)}`);
  }
  const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const y = full(outShape, value, x.dtype);
  const outStrides = stridesOf(outShape);
  const offset = paddings.reduce((acc, [before], i) => acc + before * outStrides[i], 0);
  backend().copy(x.buffer, y.buffer, { shape: x.shape, srcStrides: stridesOf(x.shape), srcOffset: 0, dstStrides: outStrides, dstOffset: offset });
  const begin = paddings.map(([before]) => before);
  const extent = x.shape;
  return record("pad", y, [x], (g) => [slice(g, begin, extent)]);
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new KshotError("concat: expected at least one tensor, got none");
  xs.forEach((x, i) => checkInput("concat", x, `tensor ${i}`));
  const first = xs[0];
  const a = normalizeAxis("concat", axis, first.rank);
  for (const x of xs) {
    if (x.rank !== first.rank || x.dtype !== first.dtype || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new KshotError(`concat: shapes ${xs.map((t) => formatShape(t.shape)).join(", ")} (${xs.map((t) => t.dtype).join(", ")}) do not match outside axis ${a}`);
    }
  }
  const outShape = [...first.shape];
  outShape[a] = xs.reduce((acc, x) => acc + x.shape[a], 0);
  const y = emptyTensor(outShape, first.dtype);
  const outStrides = stridesOf(outShape);
  let at = 0;
  for (const x of xs) {
    backend().copy(x.buffer, y.buffer, { shape: x.shape, srcStrides: stridesOf(x.shape), srcOffset: 0, dstStrides: outStrides, dstOffset: at * outStrides[a] });
    at += x.shape[a];
  }
  return record("concat", y, xs, (g, _y, needs) => {
    let start = 0;
    return xs.map((x, i) => {
      const begin = x.shape.map((_, d) => (d === a ? start : 0));
      start += x.shape[a];
      return needs[i] ? slice(g, begin, x.shape) : null;
    });
  });
}

/** Stacks same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new KshotError("stack: expected at least one tensor, got none");
  return tidy(() => concat(xs.map((x) => expandDims(x, axis)), axis));
}
