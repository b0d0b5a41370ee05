/** Element types. float64 exists on the reference backend only (gradient checks by finite differences). */
export type DType = "float32" | "int32" | "float64";

export const DTYPES: readonly DType[] = ["float32", "int32", "float64"];

export type TypedArrayFor = Float32Array | Int32Array | Float64Array;

/** Bytes per element. */
export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : 4;
}

export function isFloat(dtype: DType): boolean {
  return dtype !== "int32";
}

/** A zeroed host array of the dtype. */
export function allocHost(dtype: DType, size: number): TypedArrayFor {
  switch (dtype) {
    case "float32": return new Float32Array(size);
    case "int32": return new Int32Array(size);
    case "float64": return new Float64Array(size);
  }
}

/** The dtype a host array holds. */
export function dtypeOfArray(a: TypedArrayFor): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int32Array) return "int32";
  return "float64";
}
