/**
 * WGSL expressions for the elementwise ops, written over operand expressions so they compose: a fused
 * chain of ops is the nesting of these strings (helpers like max_nan come from shaders/math.wgsl).
 */
import type { BinaryOp, UnaryOp } from "../../backend.ts";
import { KshotError } from "../../../errors.ts";

export type ScalarType = "f32" | "i32";

type Unary = (x: string) => string;
type Binary = (a: string, b: string) => string;

// Library functions are guarded (keep_nan, *_js): some implementations (SwiftShader) get NaN and domains wrong.
const UNARY_F32: Record<UnaryOp, Unary> = {
  neg: (x) => `(-${x})`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign_f32(${x})`,
  exp: (x) => `keep_nan(${x}, exp(${x}))`,
  log: (x) => `log_js(${x})`,
  sqrt: (x) => `sqrt_js(${x})`,
  rsqrt: (x) => `(1.0 / sqrt_js(${x}))`,
  square: (x) => `(${x} * ${x})`,
  reciprocal: (x) => `(1.0 / ${x})`,
  relu: (x) => `relu_js(${x})`,
  step: (x) => `step_js(${x})`,
  tanh: (x) => `tanh_js(${x})`,
  sigmoid: (x) => `sigmoid_js(${x})`,
  sin: (x) => `sin_js(${x})`,
  cos: (x) => `cos_js(${x})`,
  floor: (x) => `keep_nan(${x}, floor(${x}))`,
};

const UNARY_I32: Partial<Record<UnaryOp, Unary>> = {
  neg: (x) => `(-${x})`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign_i32(${x})`,
  square: (x) => `(${x} * ${x})`,
};

const ARITH_F32: Partial<Record<BinaryOp, Binary>> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  max: (a, b) => `max_nan(${a}, ${b})`,
  min: (a, b) => `min_nan(${a}, ${b})`,
  pow: (a, b) => `pow_js(${a}, ${b})`,
};

const ARITH_I32: Partial<Record<BinaryOp, Binary>> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `div_i32(${a}, ${b})`,
  max: (a, b) => `max(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
  pow: (a, b) => `pow_i32(${a}, ${b})`,
};

const COMPARE_SYMBOL: Partial<Record<BinaryOp, string>> = {
  greater: ">", greaterEqual: ">=", less: "<", lessEqual: "<=", equal: "==", notEqual: "!=",
};

export function isComparison(op: BinaryOp): boolean {
  return op in COMPARE_SYMBOL;
}

export function unaryExpr(op: UnaryOp, type: ScalarType, x: string): string {
  const f = type === "f32" ? UNARY_F32[op] : UNARY_I32[op];
  if (!f) throw new KshotError(`webgpu unary ${op}: expected a float32 input, got int32`);
  return f(x);
}

/** op(a, b) with a, b of `type`, as a value of `outType` (comparisons give 1 or 0). */
export function binaryExpr(op: BinaryOp, type: ScalarType, outType: ScalarType, a: string, b: string): string {
  const symbol = COMPARE_SYMBOL[op];
  if (symbol !== undefined) {
    // Under WGSL's finite-math licence a compiler may rewrite a > b as !(a <= b): spell NaN out.
    const test = type === "i32" ? `(${a} ${symbol} ${b})`
      : op === "notEqual" ? `!(ordered(${a}, ${b}) && ${a} == ${b})`
      : `(ordered(${a}, ${b}) && ${a} ${symbol} ${b})`;
    return `select(${outType}(0), ${outType}(1), ${test})`;
  }
  if (outType !== type) throw new KshotError(`webgpu binary ${op}: expected the output dtype of the inputs (${type}), got ${outType}`);
  const f = (type === "f32" ? ARITH_F32 : ARITH_I32)[op];
  if (!f) throw new KshotError(`webgpu binary: unknown op ${op}`);
  return f(a, b);
}

/** cond != 0 ? a : b, NaN counting as non-zero. */
export function whereExpr(condType: ScalarType, cond: string, a: string, b: string): string {
  const test = condType === "f32" ? `f32_nonzero(${cond})` : `(${cond} != 0)`;
  return `select(${b}, ${a}, ${test})`;
}
