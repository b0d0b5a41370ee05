// The elementwise operations on four lanes (v128) and on one element (raw 32-bit pattern). The per-op cases
// come from the op table (src/optable/) through scripts/gen-ops.mjs (generated/ops.ts); every function is
// inlined with a constant op code, so each kernel instantiation compiles to the one operation it performs.
// float32 ops that are one IEEE operation (+ − × ÷ √) round exactly as the reference's f64-then-f32 does;
// composite ones (rsqrt, exp, tanh, ...) are computed in f64 and rounded once, as the reference does.
import { arithmeticF64, arithmeticX4, compareF64, compareMask, isComparison } from "./generated/ops";
import { toInt32 } from "./int-convert";

export {
  binaryIsVector, isComparison, unaryF32x4, unaryF64, unaryI32x4, unaryIntIsVector, unaryIsVector,
} from "./generated/ops";

/** Four lanes of a binary op; comparisons write 1 or 0 in the output dtype. */
@inline export function binaryX4(op: i32, isInt: bool, outInt: bool, a: v128, b: v128): v128 {
  if (isComparison(op)) {
    const mask = compareMask(op, isInt, a, b);
    return v128.and(mask, outInt ? i32x4.splat(1) : f32x4.splat(1));
  }
  return arithmeticX4(op, isInt, a, b);
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
