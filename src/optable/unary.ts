/**
 * Every unary elementwise op, once: reference semantics, gradient, WGSL and AssemblyScript (see rules.ts).
 * float32 kernels compute composite ops (exp, tanh, ...) in f64 and round once, as the reference does; the
 * four-lane forms are the ops that are one IEEE operation or exact selections.
 * WGSL library calls are guarded (keep_nan, *_js in shaders/math.wgsl): some implementations (SwiftShader)
 * get NaN and domains wrong.
 */
import type { BinaryOp, UnaryOp } from "./names.ts";
import type { UnaryRule } from "./rules.ts";

const softplusRef = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

export const UNARY: { readonly [P in UnaryOp]: UnaryRule<UnaryOp, BinaryOp> } = {
  neg: {
    ref: (x) => -x,
    vjp: (m, g) => m.unary("neg", g),
    wgsl: (x) => `(-${x})`,
    wasm: { f64: "-x", f32x4: "f32x4.neg(x)" },
    int32: { wgsl: (x) => `(-${x})`, i32x4: "i32x4.neg(x)" },
  },
  abs: {
    ref: Math.abs,
    vjp: (m, g, x) => m.binary("mul", g, m.unary("sign", x)),
    wgsl: (x) => `abs(${x})`,
    wasm: { f64: "Math.abs(x)", f32x4: "f32x4.abs(x)" },
    int32: { wgsl: (x) => `abs(${x})`, i32x4: "i32x4.abs(x)" },
  },
  sign: {
    ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
    vjp: null,
    wgsl: (x) => `sign_f32(${x})`,
    wasm: { f64: "x > 0 ? 1 : x < 0 ? -1 : x", f32x4: "v128.bitselect(one, v128.bitselect(f32x4.splat(-1), x, f32x4.lt(x, zero)), f32x4.gt(x, zero))" },
    // -1 where x < 0, 1 where x > 0: (x > 0) − (x < 0) with masks as −1/0.
    int32: { wgsl: (x) => `sign_i32(${x})`, i32x4: "i32x4.sub(i32x4.lt_s(x, zero), i32x4.gt_s(x, zero))" },
  },
  exp: {
    ref: Math.exp,
    vjp: (m, g, _x, y) => m.binary("mul", g, y),
    wgsl: (x) => `keep_nan(${x}, exp(${x}))`,
    wasm: { f64: "Math.exp(x)" },
  },
  log: {
    ref: Math.log,
    vjp: (m, g, x) => m.binary("div", g, x),
    wgsl: (x) => `log_js(${x})`,
    wasm: { f64: "Math.log(x)" },
  },
  sqrt: {
    ref: Math.sqrt,
    vjp: (m, g, _x, y) => m.binary("div", g, m.binary("mul", y, 2)),
    wgsl: (x) => `sqrt_js(${x})`,
    wasm: { f64: "Math.sqrt(x)", f32x4: "f32x4.sqrt(x)" },
  },
  /** d/dx x^(−1/2) = −y³/2. */
  rsqrt: {
    ref: (x) => 1 / Math.sqrt(x),
    vjp: (m, g, _x, y) => m.binary("mul", g, m.binary("mul", m.binary("mul", y, m.unary("square", y)), -0.5)),
    wgsl: (x) => `(1.0 / sqrt_js(${x}))`,
    wasm: { f64: "1 / Math.sqrt(x)", f32x4: "rsqrtF32x4(x)" },
  },
  square: {
    ref: (x) => x * x,
    vjp: (m, g, x) => m.binary("mul", g, m.binary("mul", x, 2)),
    wgsl: (x) => `(${x} * ${x})`,
    wasm: { f64: "x * x", f32x4: "f32x4.mul(x, x)" },
    int32: { wgsl: (x) => `(${x} * ${x})` },
  },
  reciprocal: {
    ref: (x) => 1 / x,
    vjp: (m, g, _x, y) => m.unary("neg", m.binary("mul", g, m.unary("square", y))),
    wgsl: (x) => `(1.0 / ${x})`,
    wasm: { f64: "1 / x", f32x4: "f32x4.div(one, x)" },
  },
  /** ReLU with derivative 0 at 0. */
  relu: {
    ref: (x) => (x > 0 ? x : x !== x ? x : 0),
    vjp: (m, g, x) => m.binary("mul", g, m.unary("step", x)),
    fuseVjp: true,
    wgsl: (x) => `relu_js(${x})`,
    wasm: { f64: "x > 0 ? x : x != x ? x : 0", f32x4: "v128.bitselect(x, zero, v128.or(f32x4.gt(x, zero), f32x4.ne(x, x)))" },
  },
  step: {
    ref: (x) => (x > 0 ? 1 : x !== x ? x : 0),
    vjp: null,
    wgsl: (x) => `step_js(${x})`,
    wasm: { f64: "x > 0 ? 1 : x != x ? x : 0", f32x4: "v128.bitselect(one, v128.bitselect(x, zero, f32x4.ne(x, x)), f32x4.gt(x, zero))" },
  },
  tanh: {
    ref: Math.tanh,
    vjp: (m, g, _x, y) => m.binary("mul", g, m.binary("sub", 1, m.unary("square", y))),
    wgsl: (x) => `tanh_js(${x})`,
    wasm: { f64: "Math.tanh(x)" },
  },
  sigmoid: {
    ref: (x) => 1 / (1 + Math.exp(-x)),
    vjp: (m, g, _x, y) => m.binary("mul", g, m.binary("mul", y, m.binary("sub", 1, y))),
    wgsl: (x) => `sigmoid_js(${x})`,
    wasm: { f64: "1 / (1 + Math.exp(-x))" },
  },
  sin: {
    ref: Math.sin,
    vjp: (m, g, x) => m.binary("mul", g, m.unary("cos", x)),
    wgsl: (x) => `sin_js(${x})`,
    wasm: { f64: "Math.sin(x)" },
  },
  cos: {
    ref: Math.cos,
    vjp: (m, g, x) => m.unary("neg", m.binary("mul", g, m.unary("sin", x))),
    wgsl: (x) => `cos_js(${x})`,
    wasm: { f64: "Math.cos(x)" },
  },
  floor: {
    ref: Math.floor,
    vjp: null,
    wgsl: (x) => `keep_nan(${x}, floor(${x}))`,
    wasm: { f64: "Math.floor(x)", f32x4: "f32x4.floor(x)" },
  },
  /** log(1 + eˣ), without overflow for large x or loss for very negative x; d/dx = sigmoid(x). */
  softplus: {
    ref: softplusRef,
    vjp: (m, g, x) => m.binary("mul", g, m.unary("sigmoid", x)),
    wgsl: (x) => `softplus_js(${x})`,
    wasm: { f64: "x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))" },
  },
  /** log(sigmoid(x)) = −softplus(−x); d/dx = sigmoid(−x). */
  logSigmoid: {
    ref: (x) => -softplusRef(-x),
    vjp: (m, g, x) => m.binary("mul", g, m.unary("sigmoid", m.unary("neg", x))),
    wgsl: (x) => `log_sigmoid_js(${x})`,
    wasm: { f64: "x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x))" },
  },
  /** log(1 + x), accurate for small x; d/dx = 1 / (1 + x). */
  log1p: {
    ref: Math.log1p,
    vjp: (m, g, x) => m.binary("div", g, m.binary("add", x, 1)),
    wgsl: (x) => `log1p_js(${x})`,
    wasm: { f64: "Math.log1p(x)" },
  },
  /** eˣ − 1, accurate for small x; d/dx = y + 1. */
  expm1: {
    ref: Math.expm1,
    vjp: (m, g, _x, y) => m.binary("mul", g, m.binary("add", y, 1)),
    wgsl: (x) => `expm1_js(${x})`,
    wasm: { f64: "Math.expm1(x)" },
  },
};
