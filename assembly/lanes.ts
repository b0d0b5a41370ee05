// Four-lane helpers the op table's AssemblyScript forms call (src/optable/): longer than one expression.

/** 1/√x on four float32 lanes, each computed in f64 and rounded once (as the reference does). */
@inline export function rsqrtF32x4(x: v128): v128 {
  const lo = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3))));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
