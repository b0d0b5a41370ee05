/** Every reduction kind, once: its output dtype (the kernels' codes come from names.ts's order). */
import type { DType } from "../dtype.ts";
import type { ReduceOp } from "./names.ts";
import type { ReduceRule } from "./rules.ts";

export const REDUCE: { readonly [P in ReduceOp]: ReduceRule } = {
  sum: { output: "input" },
  max: { output: "input" },
  min: { output: "input" },
  /** The first maximum (or the first NaN). */
  argmax: { output: "int32" },
};

/** The dtype a reduction writes for an input of `dtype`. */
export function reduceOutputDType(op: ReduceOp, dtype: DType): DType {
  return REDUCE[op].output === "int32" ? "int32" : dtype;
}
