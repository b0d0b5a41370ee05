// Four-lane helpers longer than one expression: for the op table's AssemblyScript forms (src/optable/) and
// the kernels that sum float32 lanes in f64.

/** Lanes 2 and 3 of four float32 lanes, as two f64 lanes (f64x2.promote_low_f32x4 takes lanes 0 and 1). */
@inline export function promoteHigh(v: v128): v128 { return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)); }

/** 1/√x on four float32 lanes, each computed in f64 and rounded once (as the reference does). */
@inline export function rsqrtF32x4(x: v128): v128 {
  const lo = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3))));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
