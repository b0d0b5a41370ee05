/** Float64 where the backend has it (the reference oracle), else float32 with a looser tolerance. */
import * as ks from "../../src/index.ts";

export const hasFloat64 = (): boolean => ks.backendInUse().dtypes.includes("float64");

/** Host values in the widest float type the backend holds. */
export const wide = (values: number[]): Float64Array | Float32Array => (hasFloat64() ? new Float64Array(values) : new Float32Array(values));

/** Digits for toBeCloseTo: 12 in float64, 5 in float32. */
export const digits = (): number => (hasFloat64() ? 12 : 5);
