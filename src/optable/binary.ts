/**
 * Every binary elementwise op, once (see rules.ts). Arithmetic ops keep the inputs' dtype; comparisons write
 * 1 or 0 and are declared by their operator and lane instructions, from which every form is derived.
 */
import type { BinaryOp, UnaryOp } from "./names.ts";
import type { BinaryRule, OpAlgebra } from "./rules.ts";

type Algebra<V> = OpAlgebra<V, UnaryOp, BinaryOp>;

/** The gradient of max/min goes to the selected operand; ties split it evenly (as PyTorch does). */
function selection<V>(m: Algebra<V>, pick: "greater" | "less", g: V, a: V, b: V): [V, V] {
  const half = m.binary("mul", m.binary("equal", a, b), 0.5);
  const wa = m.binary("add", m.binary(pick, a, b), half);
  const wb = m.binary("add", m.binary(pick, b, a), half);
  return [m.binary("mul", g, wa), m.binary("mul", g, wb)];
}

export const BINARY: { readonly [P in BinaryOp]: BinaryRule<UnaryOp, BinaryOp> } = {
  add: {
    kind: "arithmetic",
    ref: (a, b) => a + b,
    vjp: (_m, g) => [g, g],
    wgsl: { f32: (a, b) => `(${a} + ${b})`, i32: (a, b) => `(${a} + ${b})` },
    wasm: { f64: "a + b", f32x4: "f32x4.add(a, b)", i32x4: "i32x4.add(a, b)" },
  },
  sub: {
    kind: "arithmetic",
    ref: (a, b) => a - b,
    vjp: (m, g, _a, _b, _y, n) => [g, n[1] ? m.unary("neg", g) : null],
    wgsl: { f32: (a, b) => `(${a} - ${b})`, i32: (a, b) => `(${a} - ${b})` },
    wasm: { f64: "a - b", f32x4: "f32x4.sub(a, b)", i32x4: "i32x4.sub(a, b)" },
  },
  mul: {
    kind: "arithmetic",
    ref: (a, b) => a * b,
    vjp: (m, g, a, b, _y, n) => [n[0] ? m.binary("mul", g, b) : null, n[1] ? m.binary("mul", g, a) : null],
    wgsl: { f32: (a, b) => `(${a} * ${b})`, i32: (a, b) => `(${a} * ${b})` },
    wasm: { f64: "a * b", f32x4: "f32x4.mul(a, b)" },
  },
  /** d(a/b)/db = −a/b² = −y/b. */
  div: {
    kind: "arithmetic",
    ref: (a, b) => a / b,
    vjp: (m, g, _a, b, y, n) => [n[0] ? m.binary("div", g, b) : null, n[1] ? m.unary("neg", m.binary("mul", g, m.binary("div", y, b))) : null],
    wgsl: { f32: (a, b) => `(${a} / ${b})`, i32: (a, b) => `div_i32(${a}, ${b})` },
    wasm: { f64: "a / b", f32x4: "f32x4.div(a, b)" },
  },
  // max/min propagate NaN like IEEE maximum/minimum (and like PyTorch).
  max: {
    kind: "arithmetic",
    ref: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
    vjp: (m, g, a, b) => selection(m, "greater", g, a, b),
    wgsl: { f32: (a, b) => `max_nan(${a}, ${b})`, i32: (a, b) => `max(${a}, ${b})` },
    // a > b ? a : b, NaN when either is NaN: take a where a > b or a is NaN.
    wasm: {
      f64: "a != a || b != b ? NaN : a > b ? a : b",
      f32x4: "v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a)))",
      i32x4: "i32x4.max_s(a, b)",
    },
  },
  min: {
    kind: "arithmetic",
    ref: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
    vjp: (m, g, a, b) => selection(m, "less", g, a, b),
    wgsl: { f32: (a, b) => `min_nan(${a}, ${b})`, i32: (a, b) => `min(${a}, ${b})` },
    wasm: {
      f64: "a != a || b != b ? NaN : a < b ? a : b",
      f32x4: "v128.bitselect(a, b, v128.or(f32x4.lt(a, b), f32x4.ne(a, a)))",
      i32x4: "i32x4.min_s(a, b)",
    },
  },
  /** a^b; d/da = b·a^(b−1), d/db = y·log a. */
  pow: {
    kind: "arithmetic",
    ref: Math.pow,
    vjp: (m, g, a, b, y, n) => [
      n[0] ? m.binary("mul", g, m.binary("mul", b, m.binary("pow", a, m.binary("sub", b, 1)))) : null,
      n[1] ? m.binary("mul", g, m.binary("mul", y, m.unary("log", a))) : null,
    ],
    wgsl: { f32: (a, b) => `pow_js(${a}, ${b})`, i32: (a, b) => `pow_i32(${a}, ${b})` },
    wasm: { f64: "Math.pow(a, b)" },
  },
  greater: { kind: "comparison", symbol: ">", lanes: { f32: "gt", i32: "gt_s" } },
  greaterEqual: { kind: "comparison", symbol: ">=", lanes: { f32: "ge", i32: "ge_s" } },
  less: { kind: "comparison", symbol: "<", lanes: { f32: "lt", i32: "lt_s" } },
  lessEqual: { kind: "comparison", symbol: "<=", lanes: { f32: "le", i32: "le_s" } },
  equal: { kind: "comparison", symbol: "==", lanes: { f32: "eq", i32: "eq" } },
  notEqual: { kind: "comparison", symbol: "!=", lanes: { f32: "ne", i32: "ne" } },
};

const COMPARE: { readonly [S in "<" | "<=" | ">" | ">=" | "==" | "!="]: (a: number, b: number) => boolean } = {
  ">": (a, b) => a > b, ">=": (a, b) => a >= b, "<": (a, b) => a < b, "<=": (a, b) => a <= b,
  "==": (a, b) => a === b, "!=": (a, b) => a !== b,
};

export function isComparison(op: BinaryOp): boolean {
  return BINARY[op].kind === "comparison";
}

/** One element of a binary op as the reference computes it (comparisons give 1 or 0). */
export function binaryReference(op: BinaryOp): (a: number, b: number) => number {
  const rule = BINARY[op];
  if (rule.kind === "arithmetic") return rule.ref;
  const test = COMPARE[rule.symbol];
  return (a, b) => +test(a, b);
}
