// The elementwise operations, each once, on four lanes (v128) and on one element (raw 32-bit pattern).
// Op codes follow UNARY_OPS / BINARY_OPS in src/backend/backend.ts. Every function here is inlined with a
// constant op code, so each kernel instantiation compiles to the one operation it performs.
// float32 ops that are one IEEE operation (+ − × ÷ √) round exactly as the reference's f64-then-f32 does;
// composite ones (rsqrt, exp, tanh, ...) are computed in f64 and rounded once, as the reference does.
import { toInt32 } from "./int-convert";

export const U_NEG = 0;
export const U_ABS = 1;
export const U_SIGN = 2;
export const U_EXP = 3;
export const U_LOG = 4;
export const U_SQRT = 5;
export const U_RSQRT = 6;
export const U_SQUARE = 7;
export const U_RECIPROCAL = 8;
export const U_RELU = 9;
export const U_STEP = 10;
export const U_TANH = 11;
export const U_SIGMOID = 12;
export const U_SIN = 13;
export const U_COS = 14;
export const U_FLOOR = 15;

export const B_ADD = 0;
export const B_SUB = 1;
export const B_MUL = 2;
export const B_DIV = 3;
export const B_MAX = 4;
export const B_MIN = 5;
export const B_POW = 6;
export const B_GREATER = 7;
export const B_GREATER_EQUAL = 8;
export const B_LESS = 9;
export const B_LESS_EQUAL = 10;
export const B_EQUAL = 11;
export const B_NOT_EQUAL = 12;

/** Whether a float32 unary op has a four-lane form; the others run per element in f64. */
@inline export function unaryIsVector(op: i32): bool {
  return op == U_NEG || op == U_ABS || op == U_SIGN || op == U_SQRT || op == U_RSQRT || op == U_SQUARE ||
    op == U_RECIPROCAL || op == U_RELU || op == U_STEP || op == U_FLOOR;
}

@inline export function unaryF32x4(op: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_ABS: return f32x4.abs(x);
    case U_SIGN: return v128.bitselect(one, v128.bitselect(f32x4.splat(-1), x, f32x4.lt(x, zero)), f32x4.gt(x, zero));
    case U_SQRT: return f32x4.sqrt(x);
    case U_RSQRT: {
      const lo = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(x)));
      const hi = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3))));
      return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
    }
    case U_SQUARE: return f32x4.mul(x, x);
    case U_RECIPROCAL: return f32x4.div(one, x);
    case U_RELU: return v128.bitselect(x, zero, v128.or(f32x4.gt(x, zero), f32x4.ne(x, x)));
    case U_STEP: return v128.bitselect(one, v128.bitselect(x, zero, f32x4.ne(x, x)), f32x4.gt(x, zero));
    case U_FLOOR: return f32x4.floor(x);
    default: return x;
  }
}

/** Any unary op on one value in f64 (the float32 scalar path and every int32 op). */
@inline export function unaryF64(op: i32, x: f64): f64 {
  switch (op) {
    case U_NEG: return -x;
    case U_ABS: return Math.abs(x);
    case U_SIGN: return x > 0 ? 1 : x < 0 ? -1 : x;
    case U_EXP: return Math.exp(x);
    case U_LOG: return Math.log(x);
    case U_SQRT: return Math.sqrt(x);
    case U_RSQRT: return 1 / Math.sqrt(x);
    case U_SQUARE: return x * x;
    case U_RECIPROCAL: return 1 / x;
    case U_RELU: return x > 0 ? x : x != x ? x : 0;
    case U_STEP: return x > 0 ? 1 : x != x ? x : 0;
    case U_TANH: return Math.tanh(x);
    case U_SIGMOID: return 1 / (1 + Math.exp(-x));
    case U_SIN: return Math.sin(x);
    case U_COS: return Math.cos(x);
    case U_FLOOR: return Math.floor(x);
    default: return x;
  }
}

/** Whether an int32 unary op has a four-lane form (the rest go through f64 and ToInt32). */
@inline export function unaryIntIsVector(op: i32): bool {
  return op == U_NEG || op == U_ABS || op == U_SIGN;
}

@inline export function unaryI32x4(op: i32, x: v128): v128 {
  const zero = i32x4.splat(0);
  switch (op) {
    case U_NEG: return i32x4.neg(x);
    case U_ABS: return i32x4.abs(x);
    // -1 where x < 0, 1 where x > 0: (x > 0) − (x < 0) with masks as −1/0.
    case U_SIGN: return i32x4.sub(i32x4.lt_s(x, zero), i32x4.gt_s(x, zero));
    default: return x;
  }
}

@inline export function isComparison(op: i32): bool { return op >= B_GREATER; }

/** Whether a binary op has a four-lane form for the input dtype. */
@inline export function binaryIsVector(op: i32, isInt: bool): bool {
  if (op == B_POW) return false;
  if (isInt && (op == B_MUL || op == B_DIV)) return false;
  return true;
}

/** A comparison's lane mask (all ones where true). */
@inline function compareMask(op: i32, isInt: bool, a: v128, b: v128): v128 {
  if (isInt) {
    switch (op) {
      case B_GREATER: return i32x4.gt_s(a, b);
      case B_GREATER_EQUAL: return i32x4.ge_s(a, b);
      case B_LESS: return i32x4.lt_s(a, b);
      case B_LESS_EQUAL: return i32x4.le_s(a, b);
      case B_EQUAL: return i32x4.eq(a, b);
      default: return i32x4.ne(a, b);
    }
  }
  switch (op) {
    case B_GREATER: return f32x4.gt(a, b);
    case B_GREATER_EQUAL: return f32x4.ge(a, b);
    case B_LESS: return f32x4.lt(a, b);
    case B_LESS_EQUAL: return f32x4.le(a, b);
    case B_EQUAL: return f32x4.eq(a, b);
    default: return f32x4.ne(a, b);
  }
}

/** Four lanes of a binary op; comparisons write 1 or 0 in the output dtype. */
@inline export function binaryX4(op: i32, isInt: bool, outInt: bool, a: v128, b: v128): v128 {
  if (isComparison(op)) {
    const mask = compareMask(op, isInt, a, b);
    return v128.and(mask, outInt ? i32x4.splat(1) : f32x4.splat(1));
  }
  if (isInt) {
    switch (op) {
      case B_ADD: return i32x4.add(a, b);
      case B_SUB: return i32x4.sub(a, b);
      case B_MAX: return i32x4.max_s(a, b);
      default: return i32x4.min_s(a, b);
    }
  }
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    // a > b ? a : b, NaN when either is NaN (as the reference): take a where a > b or a is NaN.
    case B_MAX: return v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a)));
    default: return v128.bitselect(a, b, v128.or(f32x4.lt(a, b), f32x4.ne(a, a)));
  }
}

@inline function compareF64(op: i32, a: f64, b: f64): bool {
  switch (op) {
    case B_GREATER: return a > b;
    case B_GREATER_EQUAL: return a >= b;
    case B_LESS: return a < b;
    case B_LESS_EQUAL: return a <= b;
    case B_EQUAL: return a == b;
    default: return a != b;
  }
}

@inline function arithmeticF64(op: i32, a: f64, b: f64): f64 {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_MAX: return a != a || b != b ? NaN : a > b ? a : b;
    case B_MIN: return a != a || b != b ? NaN : a < b ? a : b;
    default: return Math.pow(a, b);
  }
}

/** One element of a binary op on raw 32-bit patterns, computed as the reference does (in f64). */
@inline export function binaryScalar(op: i32, isInt: bool, outInt: bool, a: u32, b: u32): u32 {
  const x: f64 = isInt ? <f64><i32>a : <f64>reinterpret<f32>(a);
  const y: f64 = isInt ? <f64><i32>b : <f64>reinterpret<f32>(b);
  if (isComparison(op)) {
    const t = compareF64(op, x, y);
    return outInt ? <u32>t : reinterpret<u32>(t ? <f32>1 : <f32>0);
  }
  const r = arithmeticF64(op, x, y);
  return isInt ? <u32>toInt32(r) : reinterpret<u32>(<f32>r);
}
