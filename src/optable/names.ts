/**
 * The names of the elementwise ops and reductions, in kernel-code order (scripts/gen-ops.mjs numbers them
 * by their place here). Each name's rule lives in unary.ts, binary.ts or reduce.ts, in a table typed over
 * these names, so a name without a complete rule is a compile error.
 */
export const UNARY_OPS = [
  "neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "square", "reciprocal",
  "relu", "step", "tanh", "sigmoid", "sin", "cos", "floor",
  "softplus", "logSigmoid", "log1p", "expm1",
] as const;

export const BINARY_OPS = [
  "add", "sub", "mul", "div", "max", "min", "pow",
  "greater", "greaterEqual", "less", "lessEqual", "equal", "notEqual",
] as const;

export const REDUCE_OPS = ["sum", "max", "min", "argmax"] as const;

/** `step(x)` is 1 where x > 0, else 0 (ReLU's derivative, 0 at 0). */
export type UnaryOp = (typeof UNARY_OPS)[number];
/** Comparison ops write 1 or 0 in the output dtype (a float dtype; see `Backend.binary`). */
export type BinaryOp = (typeof BINARY_OPS)[number];
export type ReduceOp = (typeof REDUCE_OPS)[number];
