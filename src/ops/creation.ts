/** Creating tensors from host data and constants. */
import { type DType, DTYPES, dtypeOfArray, type TypedArrayFor } from "../dtype.ts";
import { backend, engineOptions } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkShape, formatShape, sizeOf, type Shape } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";

/** Nested arrays of numbers, e.g. [[1, 2], [3, 4]]. */
export type NestedArray = number | NestedArray[];

function hostArray(dtype: DType, values: ArrayLike<number>): TypedArrayFor {
  switch (dtype) {
    case "float32": return Float32Array.from(values);
    case "int32": return Int32Array.from(values);
    case "float64": return Float64Array.from(values);
  }
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function flatten(values: NestedArray, shape: readonly number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof values !== "number") throw new KshotError(`tensor: expected a number at depth ${depth}, got ${typeof values}`);
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    throw new KshotError(`tensor: ragged nested array: expected ${shape[depth]} entries at depth ${depth}`);
  }
  for (const v of values) flatten(v, shape, depth + 1, out);
}

function checkDType(op: string, dtype: DType): void {
  if (!DTYPES.includes(dtype)) throw new KshotError(`${op}: unknown dtype ${JSON.stringify(dtype)} (expected ${DTYPES.join(", ")})`);
}

/**
 * A tensor from host values: a typed array or plain numbers (with `shape`), or nested arrays (shape
 * inferred). The dtype defaults to that of a typed array, else float32.
 */
export function tensor(values: TypedArrayFor | ArrayLike<number> | NestedArray, shape?: Shape, dtype?: DType): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values as TypedArrayFor;
    inferred = [flat.length];
    dtype ??= dtypeOfArray(values as TypedArrayFor);
  } else if (typeof values === "number") {
    flat = [values];
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values);
    const out: number[] = [];
    flatten(values, inferred, 0, out);
    flat = out;
  } else {
    throw new KshotError(`tensor: expected a typed array, an array or a number, got ${typeof values}`);
  }
  dtype ??= "float32";
  checkDType("tensor", dtype);
  const finalShape = shape ?? inferred;
  checkShape("tensor", finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new KshotError(`tensor: shape ${formatShape(finalShape)} needs ${sizeOf(finalShape)} values, got ${flat.length}`);
  }
  const t = emptyTensor(finalShape, dtype);
  const host = ArrayBuffer.isView(flat) && dtypeOfArray(flat as TypedArrayFor) === dtype ? (flat as TypedArrayFor) : hostArray(dtype, flat);
  backend().write(t.buffer, host);
  return t;
}

/** A 0-d tensor. */
export function scalar(value: number, dtype: DType = "float32"): Tensor {
  return tensor([value], [], dtype);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = "float32"): Tensor {
  checkShape("full", shape);
  checkDType("full", dtype);
  const t = emptyTensor(shape, dtype);
  backend().fill(t.buffer, value);
  return t;
}

export function zeros(shape: Shape, dtype: DType = "float32"): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: Shape, dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, t.dtype);
}

export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, t.dtype);
}

/** 0, 1, ..., n−1. */
export function arange(n: number, dtype: DType = "int32"): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new KshotError(`arange: expected a non-negative integer, got ${n}`);
  return tensor(Array.from({ length: n }, (_, i) => i), [n], dtype);
}

/** Throws a KshotError naming `op` when `checkNumerics` is on and `t` holds a NaN or an infinity. */
export function checkFinite(op: string, t: Tensor): Tensor {
  if (!engineOptions().checkNumerics || t.dtype === "int32" || !t.storage.backend.canReadSync) return t;
  const values = t.storage.backend.readSync(t.storage.buffer);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new KshotError(`checkNumerics: ${op} produced ${values[i]} at flat index ${i} of a ${formatShape(t.shape)} result`);
    }
  }
  return t;
}
