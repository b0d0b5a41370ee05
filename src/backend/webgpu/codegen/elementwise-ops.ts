/**
 * WGSL expressions for the elementwise ops, from the op table (src/optable/), written over operand
 * expressions so they compose: a fused chain of ops is the nesting of these strings (helpers like max_nan
 * come from shaders/math.wgsl).
 */
import type { BinaryOp, UnaryOp } from "../../backend.ts";
import { KshotError } from "../../../errors.ts";
import { BINARY, UNARY } from "../../../optable/index.ts";

export type ScalarType = "f32" | "i32";

export function unaryExpr(op: UnaryOp, type: ScalarType, x: string): string {
  const rule = UNARY[op];
  const f = type === "f32" ? rule.wgsl : rule.int32?.wgsl;
  if (!f) throw new KshotError(`unary ${op}: expected a float32 input, got int32`);
  return f(x);
}

/** op(a, b) with a, b of `type`, as a value of `outType` (comparisons give 1 or 0). */
export function binaryExpr(op: BinaryOp, type: ScalarType, outType: ScalarType, a: string, b: string): string {
  const rule = BINARY[op];
  if (rule.kind === "comparison") {
    const { symbol } = rule;
    // Under WGSL's finite-math licence a compiler may rewrite a > b as !(a <= b): spell NaN out.
    const test = type === "i32" ? `(${a} ${symbol} ${b})`
      : symbol === "!=" ? `!(ordered(${a}, ${b}) && ${a} == ${b})`
      : `(ordered(${a}, ${b}) && ${a} ${symbol} ${b})`;
    return `select(${outType}(0), ${outType}(1), ${test})`;
  }
  if (outType !== type) throw new KshotError(`binary ${op}: expected the output dtype of the inputs (${type}), got ${outType}`);
  return rule.wgsl[type](a, b);
}

/** cond != 0 ? a : b, NaN counting as non-zero. */
export function whereExpr(condType: ScalarType, cond: string, a: string, b: string): string {
  const test = condType === "f32" ? `f32_nonzero(${cond})` : `(${cond} != 0)`;
  return `select(${b}, ${a}, ${test})`;
}
