// Four-lane helpers longer than one expression: for the op table's AssemblyScript forms (src/optable/), the
// kernels that sum float32 lanes in f64, and partial rows of four.

/** Lanes 2 and 3 of four float32 lanes, as two f64 lanes (f64x2.promote_low_f32x4 takes lanes 0 and 1). */
@inline export function promoteHigh(v: v128): v128 { return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)); }

/** 1/√x on four float32 lanes, each computed in f64 and rounded once (as the reference does). */
@inline export function rsqrtF32x4(x: v128): v128 {
  const lo = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3))));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** Stores the first `live` (1 to 4) lanes of v at p. */
@inline export function storeLanes(p: usize, v: v128, live: i32): void {
  if (live == 4) {
    v128.store(p, v);
    return;
  }
  if (live >= 2) v128.store64_lane(p, v, 0);
  else v128.store32_lane(p, v, 0);
  if (live == 3) v128.store32_lane(p, v, 2, 8);
}

/** The first `live` (1 to 4) floats from p, zeros after: nothing past them is read. */
@inline export function loadLanes(p: usize, live: i32): v128 {
  if (live == 4) return v128.load(p);
  if (live == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return live == 2 ? v : v128.load32_lane(p + 8, v, 2);
}
