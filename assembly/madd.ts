// c + a·b on four lanes: relaxed SIMD's fused multiply-add where the build has it (rounding may differ
// between engines), else a multiply and an add (the same bits everywhere).
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
