/** Elementwise ops: unary, broadcasting binary, comparisons and `where`; their VJPs are the op table's rules. */
import type { BinaryOp, UnaryOp } from "../backend/backend.ts";
import { BINARY, isComparison, type OpAlgebra, UNARY } from "../optable/index.ts";
import type { ArithmeticRule } from "../optable/rules.ts";
import { type DType, isFloat } from "../dtype.ts";
import { backend, keep, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { broadcastShapes, broadcastStrides } from "../shape.ts";
import { emptyTensor, type Tensor, viewOf } from "../tensor.ts";
import { mapRecord } from "../tree.ts";
import { checkFinite, scalar } from "./creation.ts";
import { sumTo } from "./broadcast.ts";
import { builderAlgebra, fused } from "./fused.ts";

/** A tensor or a number (taken in the other operand's dtype). */
export type Operand = Tensor | number;

function unaryKernel(op: UnaryOp, x: Tensor): Tensor {
  checkInput(op, x);
  if (!isFloat(x.dtype) && !UNARY[op].int32) throw new KshotError(`${op}: expected a float tensor, got ${x.dtype}`);
  const y = emptyTensor(x.shape, x.dtype);
  backend().unary(op, x.buffer, y.buffer);
  return checkFinite(op, y);
}

/** The ops as an OpAlgebra over tensors: the op table's gradient rules run through it. */
const tensorAlgebra: OpAlgebra<Tensor, UnaryOp, BinaryOp> = {
  unary: (op, x) => unaryOp(op, x),
  binary: (op, a, b) => binaryOp(op, a, b),
  where: (cond, a, b) => where(cond, a, b),
};

function unaryVjp(op: UnaryOp, g: Tensor, x: Tensor, y: Tensor): Tensor | null {
  const { vjp, fuseVjp } = UNARY[op];
  if (!vjp) return null;
  if (fuseVjp) return fused(`${op}'`, [g, x, y], (f, g, x, y) => vjp(builderAlgebra(f), g, x, y));
  return vjp(tensorAlgebra, g, x, y);
}

/** Any unary op of the op table, by name, with its gradient. */
export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  const y = unaryKernel(op, x);
  return record(op, y, [x], (g, out) => [unaryVjp(op, g, x, out)]);
}

export const neg = (x: Tensor): Tensor => unaryOp("neg", x);
export const abs = (x: Tensor): Tensor => unaryOp("abs", x);
export const sign = (x: Tensor): Tensor => unaryOp("sign", x);
export const step = (x: Tensor): Tensor => unaryOp("step", x);
export const floor = (x: Tensor): Tensor => unaryOp("floor", x);
export const exp = (x: Tensor): Tensor => unaryOp("exp", x);
export const log = (x: Tensor): Tensor => unaryOp("log", x);
export const sqrt = (x: Tensor): Tensor => unaryOp("sqrt", x);
export const rsqrt = (x: Tensor): Tensor => unaryOp("rsqrt", x);
export const square = (x: Tensor): Tensor => unaryOp("square", x);
export const reciprocal = (x: Tensor): Tensor => unaryOp("reciprocal", x);
/** ReLU with derivative 0 at 0. */
export const relu = (x: Tensor): Tensor => unaryOp("relu", x);
export const tanh = (x: Tensor): Tensor => unaryOp("tanh", x);
export const sigmoid = (x: Tensor): Tensor => unaryOp("sigmoid", x);
export const sin = (x: Tensor): Tensor => unaryOp("sin", x);
export const cos = (x: Tensor): Tensor => unaryOp("cos", x);
/** log(1 + eˣ), stable for large |x|. */
export const softplus = (x: Tensor): Tensor => unaryOp("softplus", x);
/** log(sigmoid(x)) = −softplus(−x), stable for large |x|. */
export const logSigmoid = (x: Tensor): Tensor => unaryOp("logSigmoid", x);
/** log(1 + x), accurate near 0. */
export const log1p = (x: Tensor): Tensor => unaryOp("log1p", x);
/** eˣ − 1, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => unaryOp("expm1", x);

/** Turns a number operand into a 0-d tensor of the other operand's dtype. */
function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number") {
    throw new KshotError(`${op}: expected at least one Tensor operand, got two numbers`);
  }
  const ta = typeof a === "number" ? scalar(a, (b as Tensor).dtype) : checkInput(op, a, "a");
  const tb = typeof b === "number" ? scalar(b, ta.dtype) : checkInput(op, b, "b");
  if (ta.dtype !== tb.dtype) {
    throw new KshotError(`${op}: operands must have the same dtype, got ${ta.dtype} and ${tb.dtype} (use ks.cast)`);
  }
  return [ta, tb];
}

/** Comparisons give 1/0 in a float dtype: the operands' own, or float32 for int32 operands. */
function resultDType(op: BinaryOp, dtype: DType): DType {
  if (isComparison(op)) return isFloat(dtype) ? dtype : "float32";
  return dtype;
}

function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(op, a.shape, b.shape);
  const y = emptyTensor(outShape, resultDType(op, a.dtype));
  const strides = [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  backend().binary(op, a.buffer, b.buffer, y.buffer, { outShape, strides });
  return checkFinite(op, y);
}

// Runs in a tidy scope so that the 0-d tensors made for number operands are released with the op
// (the graph node keeps them while it needs them).
function arithmetic(op: BinaryOp, rule: ArithmeticRule<UnaryOp, BinaryOp>, a: Operand, b: Operand): Tensor {
  return tidy(() => {
    const [ta, tb] = operands(op, a, b);
    const y = binaryKernel(op, ta, tb);
    return record(op, y, [ta, tb], (g, out, needs) => {
      const [ga, gb] = rule.vjp(tensorAlgebra, g, ta, tb, out, needs);
      return [ga && needs[0] ? sumTo(ga, ta.shape) : null, gb && needs[1] ? sumTo(gb, tb.shape) : null];
    });
  });
}

/** Comparisons have no gradient: their result is a constant to autodiff. */
function comparison(op: BinaryOp, a: Operand, b: Operand): Tensor {
  return tidy(() => {
    const [ta, tb] = operands(op, a, b);
    return binaryKernel(op, ta, tb);
  });
}

/** Any binary op of the op table, by name, with its gradient. */
export function binaryOp(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const rule = BINARY[op];
  return rule.kind === "comparison" ? comparison(op, a, b) : arithmetic(op, rule, a, b);
}

export const add = (a: Operand, b: Operand): Tensor => binaryOp("add", a, b);
export const sub = (a: Operand, b: Operand): Tensor => binaryOp("sub", a, b);
export const mul = (a: Operand, b: Operand): Tensor => binaryOp("mul", a, b);
export const div = (a: Operand, b: Operand): Tensor => binaryOp("div", a, b);
export const pow = (a: Operand, b: Operand): Tensor => binaryOp("pow", a, b);
/** Elementwise maximum; the gradient of tied operands is split evenly (as PyTorch does). */
export const maximum = (a: Operand, b: Operand): Tensor => binaryOp("max", a, b);
export const minimum = (a: Operand, b: Operand): Tensor => binaryOp("min", a, b);
export const greater = (a: Operand, b: Operand): Tensor => binaryOp("greater", a, b);
export const greaterEqual = (a: Operand, b: Operand): Tensor => binaryOp("greaterEqual", a, b);
export const less = (a: Operand, b: Operand): Tensor => binaryOp("less", a, b);
export const lessEqual = (a: Operand, b: Operand): Tensor => binaryOp("lessEqual", a, b);
export const equal = (a: Operand, b: Operand): Tensor => binaryOp("equal", a, b);
export const notEqual = (a: Operand, b: Operand): Tensor => binaryOp("notEqual", a, b);

/** x limited to [lo, hi] (NaN stays NaN); the gradient flows where lo ≤ x ≤ hi, as in PyTorch. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new KshotError(`clamp: expected lo ≤ hi, got ${lo} and ${hi}`);
  return fused("clamp", [x], (f, x) => f.where(f.binary("less", x, lo), lo, f.where(f.binary("greater", x, hi), hi, x)));
}

/** cond ≠ 0 ? a : b, broadcasting all three. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  return tidy(() => whereInScope(cond, a, b));
}

function whereInScope(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkInput("where", cond, "cond");
  const [ta, tb] = operands("where", a, b);
  const outShape = broadcastShapes("where", cond.shape, ta.shape, tb.shape);
  const c = cond.dtype === ta.dtype ? cond : castKernel(cond, ta.dtype);
  const y = emptyTensor(outShape, ta.dtype);
  const strides = [c, ta, tb].map((t) => broadcastStrides(t.shape, outShape));
  backend().where(c.buffer, ta.buffer, tb.buffer, y.buffer, { outShape, strides });
  return record("where", y, [ta, tb], (g, _y, needs) => {
    const zero = scalar(0, g.dtype);
    return [
      needs[0] ? sumTo(where(c, g, zero), ta.shape) : null,
      needs[1] ? sumTo(where(c, zero, g), tb.shape) : null,
    ];
  }, [c]);
}

function castKernel(x: Tensor, dtype: DType): Tensor {
  const y = emptyTensor(x.shape, dtype);
  backend().cast(x.buffer, y.buffer);
  return y;
}

/** Converts to another dtype (float → int truncates toward zero). Gradients flow between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkInput("cast", x);
  if (x.dtype === dtype) return x;
  const y = castKernel(x, dtype);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return y;
  const from = x.dtype;
  return record("cast", y, [x], (g) => [cast(g, from)]);
}

/** Same values (shared memory), no gradient: the result is a constant to autodiff. */
export function stopGradient(x: Tensor): Tensor {
  checkInput("stopGradient", x);
  return viewOf(x, x.shape);
}

/** Kept views of a record's tensors (shared memory, no gradient): they stay alive when the originals are
 * disposed and outside any `tidy`, until disposed themselves. */
export function keptViews(r: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  return keep(mapRecord(r, (t) => stopGradient(t)));
}
