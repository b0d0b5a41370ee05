// Training-mode BatchNorm over float32 x [batch, channels, spatial]: each channel's statistics over batch
// and spatial (M = batch·spatial values), the normalisation and its adjoint, as Backend.batchNorm and
// Backend.batchNormBackward state them (src/backend/backend.ts):
// - forward: with K the channel's first value, Σ(x − K) and Σ(x − K)² in f64 (one pass), the mean
//   μ = K + Σ(x − K)/M and s = 1/√(var + eps), var = (Σ(x − K)² − Σ(x − K)²/M)/M (negative rounding
//   clamped to 0); stats [2, channels] = (μ, s) rounded to f32; then y = ((x − μ)·k) + β with k = f32(s·γ),
//   each step rounded to f32 (a second pass).
// - backward: A = Σdy and B = Σdy·(x − μ) in f64 (one pass); sums [2, channels] = (A, s·B) (dβ, dγ); then
//   dx = ((dy·k1) + ((x − μ)·k2)) + k3 with k1 = γs, k2 = −γs³B/M, k3 = −γsA/M (f64, rounded to f32), each
//   step rounded to f32 (a second pass).
// Sums run in a fixed order (per row: four f64 lane pairs, then the tail; rows in order), and a call runs as
// part `part` of `parts` (parts.ts) by whole channels, so results do not depend on the thread count.
import { at } from "./address";
import { promoteHigh } from "./lanes";
import { partStart } from "./parts";
import { STATUS_OK } from "./status";

/** Two f64 sums of one channel. */
class Sums {
  static a: f64 = 0;
  static b: f64 = 0;
}

@inline function lanesTotal(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

/** Sums.a = Σ(x − shift), Sums.b = Σ(x − shift)² over `rows` rows of n values, `stride` elements apart. */
function moments(x: usize, rows: i32, stride: i32, n: i32, shift: f64): void {
  const k = f64x2.splat(shift);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
  let a: f64 = 0, b: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = at(x, r * stride);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(row, i));
      const lo = f64x2.sub(f64x2.promote_low_f32x4(v), k), hi = f64x2.sub(promoteHigh(v), k);
      a0 = f64x2.add(a0, lo);
      a1 = f64x2.add(a1, hi);
      b0 = f64x2.add(b0, f64x2.mul(lo, lo));
      b1 = f64x2.add(b1, f64x2.mul(hi, hi));
    }
    for (; i < n; i++) {
      const d = <f64>load<f32>(at(row, i)) - shift;
      a += d;
      b += d * d;
    }
  }
  Sums.a = lanesTotal(f64x2.add(a0, a1)) + a;
  Sums.b = lanesTotal(f64x2.add(b0, b1)) + b;
}

/** Sums.a = Σdy, Sums.b = Σdy·(x − mean) over the rows, as moments walks them. */
function gradientSums(dy: usize, x: usize, rows: i32, stride: i32, n: i32, mean: f64): void {
  const m = f64x2.splat(mean);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
  let a: f64 = 0, b: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const gRow = at(dy, r * stride), xRow = at(x, r * stride);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const g = v128.load(at(gRow, i)), v = v128.load(at(xRow, i));
      const gLo = f64x2.promote_low_f32x4(g), gHi = promoteHigh(g);
      a0 = f64x2.add(a0, gLo);
      a1 = f64x2.add(a1, gHi);
      b0 = f64x2.add(b0, f64x2.mul(gLo, f64x2.sub(f64x2.promote_low_f32x4(v), m)));
      b1 = f64x2.add(b1, f64x2.mul(gHi, f64x2.sub(promoteHigh(v), m)));
    }
    for (; i < n; i++) {
      const g = <f64>load<f32>(at(gRow, i));
      a += g;
      b += g * (<f64>load<f32>(at(xRow, i)) - mean);
    }
  }
  Sums.a = lanesTotal(f64x2.add(a0, a1)) + a;
  Sums.b = lanesTotal(f64x2.add(b0, b1)) + b;
}

/** y = ((x − mean)·k) + beta over the rows, each step rounded to f32. */
function normalise(x: usize, y: usize, rows: i32, stride: i32, n: i32, mean: f32, k: f32, beta: f32): void {
  const m = f32x4.splat(mean), kv = f32x4.splat(k), bv = f32x4.splat(beta);
  for (let r = 0; r < rows; r++) {
    const xRow = at(x, r * stride), yRow = at(y, r * stride);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      v128.store(at(yRow, i), f32x4.add(f32x4.mul(f32x4.sub(v128.load(at(xRow, i)), m), kv), bv));
    }
    for (; i < n; i++) store<f32>(at(yRow, i), (load<f32>(at(xRow, i)) - mean) * k + beta);
  }
}

/** dx = ((dy·k1) + ((x − mean)·k2)) + k3 over the rows, each step rounded to f32. */
function inputGradient(dy: usize, x: usize, dx: usize, rows: i32, stride: i32, n: i32, mean: f32, k1: f32, k2: f32, k3: f32): void {
  const m = f32x4.splat(mean), v1 = f32x4.splat(k1), v2 = f32x4.splat(k2), v3 = f32x4.splat(k3);
  for (let r = 0; r < rows; r++) {
    const gRow = at(dy, r * stride), xRow = at(x, r * stride), oRow = at(dx, r * stride);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const t = f32x4.mul(f32x4.sub(v128.load(at(xRow, i)), m), v2);
      v128.store(at(oRow, i), f32x4.add(f32x4.add(f32x4.mul(v128.load(at(gRow, i)), v1), t), v3));
    }
    for (; i < n; i++) {
      store<f32>(at(oRow, i), (load<f32>(at(gRow, i)) * k1 + (load<f32>(at(xRow, i)) - mean) * k2) + k3);
    }
  }
}

/**
 * The forward of channels [first, end) of part `part` of `parts`: stats [2, channels] = (mean, 1/√(var + eps))
 * and y. `epsBits` is eps's float32 bit pattern.
 */
export function batchNorm(
  x: usize, gamma: usize, beta: usize, y: usize, stats: usize, batch: i32, channels: i32, spatial: i32, epsBits: i32,
  part: i32, parts: i32,
): i32 {
  const count = <f64>batch * <f64>spatial;
  const eps = <f64>reinterpret<f32>(epsBits);
  const stride = channels * spatial;
  for (let c = partStart(channels, part, parts), end = partStart(channels, part + 1, parts); c < end; c++) {
    const xc = at(x, c * spatial), yc = at(y, c * spatial);
    const shift: f64 = count > 0 ? <f64>load<f32>(xc) : 0;
    moments(xc, batch, stride, spatial, shift);
    const d = Sums.a / count;
    let variance = (Sums.b - Sums.a * d) / count;
    if (variance < 0) variance = 0;
    const mean = <f32>(shift + d);
    const s = <f32>(1 / Math.sqrt(variance + eps));
    store<f32>(at(stats, c), mean);
    store<f32>(at(stats, channels + c), s);
    normalise(xc, yc, batch, stride, spatial, mean, s * load<f32>(at(gamma, c)), load<f32>(at(beta, c)));
  }
  return STATUS_OK;
}

/**
 * The backward of channels [first, end) of part `part` of `parts`, with the forward's stats: sums
 * [2, channels] = (Σdy, Σdy·x̂) and dx.
 */
export function batchNormBackward(
  dy: usize, x: usize, gamma: usize, stats: usize, dx: usize, sums: usize, batch: i32, channels: i32, spatial: i32,
  part: i32, parts: i32,
): i32 {
  const count = <f64>batch * <f64>spatial;
  const stride = channels * spatial;
  for (let c = partStart(channels, part, parts), end = partStart(channels, part + 1, parts); c < end; c++) {
    const offset = c * spatial;
    const mean = load<f32>(at(stats, c));
    const s = <f64>load<f32>(at(stats, channels + c));
    gradientSums(at(dy, offset), at(x, offset), batch, stride, spatial, <f64>mean);
    const a = Sums.a, b = Sums.b;
    store<f32>(at(sums, c), <f32>a);
    store<f32>(at(sums, channels + c), <f32>(s * b));
    const gs = <f64>load<f32>(at(gamma, c)) * s;
    const k1 = <f32>gs, k2 = <f32>(-gs * s * s * b / count), k3 = <f32>(-gs * a / count);
    inputGradient(at(dy, offset), at(x, offset), at(dx, offset), batch, stride, spatial, mean, k1, k2, k3);
  }
  return STATUS_OK;
}
