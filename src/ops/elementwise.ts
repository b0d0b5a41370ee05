/** Elementwise ops: unary, broadcasting binary, comparisons and `where`, each with its VJP written in ops. */
import type { BinaryOp, UnaryOp } from "../backend/backend.ts";
import { type DType, isFloat } from "../dtype.ts";
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { broadcastShapes, broadcastStrides } from "../shape.ts";
import { emptyTensor, type Tensor, viewOf } from "../tensor.ts";
import { checkFinite, scalar } from "./creation.ts";
import { sumTo } from "./broadcast.ts";
import { fused } from "./fused.ts";

/** A tensor or a number (taken in the other operand's dtype). */
export type Operand = Tensor | number;

function unaryKernel(op: UnaryOp, x: Tensor): Tensor {
  checkInput(op, x);
  const intOk = op === "neg" || op === "abs" || op === "sign" || op === "square";
  if (!isFloat(x.dtype) && !intOk) throw new KshotError(`${op}: expected a float tensor, got ${x.dtype}`);
  const y = emptyTensor(x.shape, x.dtype);
  backend().unary(op, x.buffer, y.buffer);
  return checkFinite(op, y);
}

type UnaryVjp = (g: Tensor, x: Tensor, y: Tensor) => Tensor | null;

function unary(op: UnaryOp, x: Tensor, vjp: UnaryVjp): Tensor {
  const y = unaryKernel(op, x);
  return record(op, y, [x], (g, out) => [vjp(g, x, out)]);
}

export const neg = (x: Tensor): Tensor => unary("neg", x, (g) => neg(g));
export const abs = (x: Tensor): Tensor => unary("abs", x, (g, x) => mul(g, sign(x)));
export const sign = (x: Tensor): Tensor => unary("sign", x, () => null);
export const step = (x: Tensor): Tensor => unary("step", x, () => null);
export const floor = (x: Tensor): Tensor => unary("floor", x, () => null);
export const exp = (x: Tensor): Tensor => unary("exp", x, (g, _x, y) => mul(g, y));
export const log = (x: Tensor): Tensor => unary("log", x, (g, x) => div(g, x));
export const sqrt = (x: Tensor): Tensor => unary("sqrt", x, (g, _x, y) => div(g, mul(y, 2)));
/** d/dx x^(−1/2) = −y³/2. */
export const rsqrt = (x: Tensor): Tensor => unary("rsqrt", x, (g, _x, y) => mul(g, mul(mul(y, square(y)), -0.5)));
export const square = (x: Tensor): Tensor => unary("square", x, (g, x) => mul(g, mul(x, 2)));
export const reciprocal = (x: Tensor): Tensor => unary("reciprocal", x, (g, _x, y) => neg(mul(g, square(y))));
/** ReLU with derivative 0 at 0. */
export const relu = (x: Tensor): Tensor => unary("relu", x, (g, x) => fused("relu'", [g, x], (f, g, x) => f.mul(g, f.step(x))));
export const tanh = (x: Tensor): Tensor => unary("tanh", x, (g, _x, y) => mul(g, sub(1, square(y))));
export const sigmoid = (x: Tensor): Tensor => unary("sigmoid", x, (g, _x, y) => mul(g, mul(y, sub(1, y))));
export const sin = (x: Tensor): Tensor => unary("sin", x, (g, x) => mul(g, cos(x)));
export const cos = (x: Tensor): Tensor => unary("cos", x, (g, x) => neg(mul(g, sin(x))));

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

const COMPARISONS: ReadonlySet<BinaryOp> = new Set(["greater", "greaterEqual", "less", "lessEqual", "equal", "notEqual"]);

/** Comparisons give 1/0 in a float dtype: the operands' own, or float32 for int32 operands. */
function resultDType(op: BinaryOp, dtype: DType): DType {
  if (COMPARISONS.has(op)) return isFloat(dtype) ? dtype : "float32";
  return dtype;
}

function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(op, a.shape, b.shape);
  const y = emptyTensor(outShape, resultDType(op, a.dtype));
  const strides = [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  backend().binary(op, a.buffer, b.buffer, y.buffer, { outShape, strides });
  return checkFinite(op, y);
}

type BinaryVjp = (g: Tensor, a: Tensor, b: Tensor, y: Tensor, needs: readonly boolean[]) => [Tensor | null, Tensor | null];

// Runs in a tidy scope so that the 0-d tensors made for number operands are released with the op
// (the graph node keeps them while it needs them).
function binary(op: BinaryOp, a: Operand, b: Operand, vjp: BinaryVjp): Tensor {
  return tidy(() => {
    const [ta, tb] = operands(op, a, b);
    const y = binaryKernel(op, ta, tb);
    return record(op, y, [ta, tb], (g, out, needs) => {
      const [ga, gb] = vjp(g, ta, tb, out, needs);
      return [ga && needs[0] ? sumTo(ga, ta.shape) : null, gb && needs[1] ? sumTo(gb, tb.shape) : null];
    });
  });
}

export const add = (a: Operand, b: Operand): Tensor => binary("add", a, b, (g) => [g, g]);
export const sub = (a: Operand, b: Operand): Tensor => binary("sub", a, b, (g, _a, _b, _y, n) => [g, n[1] ? neg(g) : null]);
export const mul = (a: Operand, b: Operand): Tensor =>
  binary("mul", a, b, (g, a, b, _y, n) => [n[0] ? mul(g, b) : null, n[1] ? mul(g, a) : null]);
/** d(a/b)/db = −a/b² = −y/b. */
export const div = (a: Operand, b: Operand): Tensor =>
  binary("div", a, b, (g, _a, b, y, n) => [n[0] ? div(g, b) : null, n[1] ? neg(mul(g, div(y, b))) : null]);
/** a^b; d/da = b·a^(b−1), d/db = y·log a. */
export const pow = (a: Operand, b: Operand): Tensor =>
  binary("pow", a, b, (g, a, b, y, n) => [n[0] ? mul(g, mul(b, pow(a, sub(b, 1)))) : null, n[1] ? mul(g, mul(y, log(a))) : null]);

/** The gradient of max/min goes to the selected operand; ties split it evenly (as PyTorch does). */
function selectionWeights(a: Tensor, b: Tensor, pick: "greater" | "less"): [Tensor, Tensor] {
  const half = mul(equal(a, b), 0.5);
  const wa = add(pick === "greater" ? greater(a, b) : less(a, b), half);
  const wb = add(pick === "greater" ? greater(b, a) : less(b, a), half);
  return [wa, wb];
}

export const maximum = (a: Operand, b: Operand): Tensor =>
  binary("max", a, b, (g, a, b) => {
    const [wa, wb] = selectionWeights(a, b, "greater");
    return [mul(g, wa), mul(g, wb)];
  });
export const minimum = (a: Operand, b: Operand): Tensor =>
  binary("min", a, b, (g, a, b) => {
    const [wa, wb] = selectionWeights(a, b, "less");
    return [mul(g, wa), mul(g, wb)];
  });

function comparison(op: BinaryOp, a: Operand, b: Operand): Tensor {
  return tidy(() => {
    const [ta, tb] = operands(op, a, b);
    return binaryKernel(op, ta, tb);
  });
}

export const greater = (a: Operand, b: Operand): Tensor => comparison("greater", a, b);
export const greaterEqual = (a: Operand, b: Operand): Tensor => comparison("greaterEqual", a, b);
export const less = (a: Operand, b: Operand): Tensor => comparison("less", a, b);
export const lessEqual = (a: Operand, b: Operand): Tensor => comparison("lessEqual", a, b);
export const equal = (a: Operand, b: Operand): Tensor => comparison("equal", a, b);
export const notEqual = (a: Operand, b: Operand): Tensor => comparison("notEqual", a, b);

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
