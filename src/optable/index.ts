/** The op table: names, rules, and what is derived from them alone. */
export { BINARY_OPS, type BinaryOp, REDUCE_OPS, type ReduceOp, UNARY_OPS, type UnaryOp } from "./names.ts";
export { UNARY } from "./unary.ts";
export { BINARY, binaryReference, isComparison } from "./binary.ts";
export { REDUCE, reduceOutputDType } from "./reduce.ts";
export type { OpAlgebra } from "./rules.ts";
