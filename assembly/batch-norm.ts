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
// Large planes go in blocks of channels (blockChannels) walked in memory order, image by image, each channel
// keeping its own sums across images (so each sum keeps the order above): a block's rows of one image are
// contiguous, where one channel's are a whole image apart.
import { at } from "./address";
import { promoteHigh } from "./lanes";
import { partStart } from "./parts";
import { BATCH_NORM_BYTES, BATCH_NORM_OFFSET, scratch } from "./scratch";
import { STATUS_OK } from "./status";

/**
 * Planes of at least BLOCK_MIN_SPATIAL values go in blocks of up to MAX_BLOCK channels whose rows of one
 * image make about BLOCK_SPAN values. Measured on 25–600 images (AMD EPYC, two threads, from memory and
 * from cache): at 28×28, blocks of 16 run both passes 15–30% faster than one channel at a time; at 14×14
 * and below, one channel at a time is as fast, and faster from 160 images on.
 */
const BLOCK_MIN_SPATIAL: i32 = 512;
const BLOCK_SPAN: i32 = 12 << 10;
const MAX_BLOCK: i32 = 16;
/**
 * Per channel of a block, CHANNEL_BYTES of state: the vector sums (a in two f64 lane pairs at 0 and 16, b at
 * 32 and 48), the tails' f64 sums (a at 64, b at 72), the shift or mean as f64 (80), and the second pass's
 * float32 constants from 88 (forward: mean, k, beta; backward: mean, k1, k2, k3).
 */
const CHANNEL_BYTES: i32 = 112;
if (MAX_BLOCK * CHANNEL_BYTES > BATCH_NORM_BYTES) unreachable();

@inline function channelState(j: i32): usize { return scratch() + BATCH_NORM_OFFSET + <usize>(j * CHANNEL_BYTES); }

/** Channels per block for planes of `spatial` values. */
@inline function blockChannels(spatial: i32): i32 {
  return spatial < BLOCK_MIN_SPATIAL ? 1 : min(MAX_BLOCK, (BLOCK_SPAN + spatial - 1) / spatial);
}

/** Zeroes channel j's sums, with `center` (the shift, or the mean) at 80. */
@inline function startSums(j: i32, center: f64): void {
  const st = channelState(j);
  memory.fill(st, 0, 80);
  store<f64>(st, center, 80);
}

/** Sums.a and Sums.b of channel j: its lane pairs' totals, then its tails. */
class Sums {
  static a: f64 = 0;
  static b: f64 = 0;
  static of(j: i32): void {
    const st = channelState(j);
    Sums.a = lanesTotal(f64x2.add(v128.load(st), v128.load(st, 16))) + load<f64>(st, 64);
    Sums.b = lanesTotal(f64x2.add(v128.load(st, 32), v128.load(st, 48))) + load<f64>(st, 72);
  }
}

@inline function lanesTotal(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

/** Stores a channel's running sums back into its state at st (the layout CHANNEL_BYTES describes). */
@inline function storeSums(st: usize, a0: v128, a1: v128, b0: v128, b1: v128, a: f64, b: f64): void {
  v128.store(st, a0);
  v128.store(st, a1, 16);
  v128.store(st, b0, 32);
  v128.store(st, b1, 48);
  store<f64>(st, a, 64);
  store<f64>(st, b, 72);
}

/** Adds one row of n values to channel j's Σ(x − shift) and Σ(x − shift)². */
function addMoments(row: usize, n: i32, j: i32): void {
  const st = channelState(j);
  const shift = load<f64>(st, 80), k = f64x2.splat(shift);
  let a0 = v128.load(st), a1 = v128.load(st, 16), b0 = v128.load(st, 32), b1 = v128.load(st, 48);
  let a = load<f64>(st, 64), b = load<f64>(st, 72);
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
  storeSums(st, a0, a1, b0, b1, a, b);
}

/** Adds one row of n values to channel j's Σdy and Σdy·(x − mean). */
function addGradientSums(gRow: usize, xRow: usize, n: i32, j: i32): void {
  const st = channelState(j);
  const mean = load<f64>(st, 80), m = f64x2.splat(mean);
  let a0 = v128.load(st), a1 = v128.load(st, 16), b0 = v128.load(st, 32), b1 = v128.load(st, 48);
  let a = load<f64>(st, 64), b = load<f64>(st, 72);
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
  storeSums(st, a0, a1, b0, b1, a, b);
}

/** y = ((x − mean)·k) + beta over one row of n values, each step rounded to f32 (constants of channel j). */
function normaliseRow(xRow: usize, yRow: usize, n: i32, j: i32): void {
  const st = channelState(j);
  const mean = load<f32>(st, 88), k = load<f32>(st, 92), beta = load<f32>(st, 96);
  const m = f32x4.splat(mean), kv = f32x4.splat(k), bv = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(yRow, i), f32x4.add(f32x4.mul(f32x4.sub(v128.load(at(xRow, i)), m), kv), bv));
  }
  for (; i < n; i++) store<f32>(at(yRow, i), (load<f32>(at(xRow, i)) - mean) * k + beta);
}

/** dx = ((dy·k1) + ((x − mean)·k2)) + k3 over one row of n values, each step rounded to f32 (constants of channel j). */
function inputGradientRow(gRow: usize, xRow: usize, oRow: usize, n: i32, j: i32): void {
  const st = channelState(j);
  const mean = load<f32>(st, 88), k1 = load<f32>(st, 92), k2 = load<f32>(st, 96), k3 = load<f32>(st, 100);
  const m = f32x4.splat(mean), v1 = f32x4.splat(k1), v2 = f32x4.splat(k2), v3 = f32x4.splat(k3);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const t = f32x4.mul(f32x4.sub(v128.load(at(xRow, i)), m), v2);
    v128.store(at(oRow, i), f32x4.add(f32x4.add(f32x4.mul(v128.load(at(gRow, i)), v1), t), v3));
  }
  for (; i < n; i++) {
    store<f32>(at(oRow, i), (load<f32>(at(gRow, i)) * k1 + (load<f32>(at(xRow, i)) - mean) * k2) + k3);
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
  const stride = channels * spatial, step = blockChannels(spatial);
  for (let c0 = partStart(channels, part, parts), end = partStart(channels, part + 1, parts); c0 < end; c0 += step) {
    const n = min(step, end - c0);
    for (let j = 0; j < n; j++) startSums(j, count > 0 ? <f64>load<f32>(at(x, (c0 + j) * spatial)) : 0);
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < n; j++) addMoments(at(x, r * stride + (c0 + j) * spatial), spatial, j);
    }
    for (let j = 0; j < n; j++) {
      const c = c0 + j, st = channelState(j);
      Sums.of(j);
      const d = Sums.a / count;
      let variance = (Sums.b - Sums.a * d) / count;
      if (variance < 0) variance = 0;
      const mean = <f32>(load<f64>(st, 80) + d);
      const s = <f32>(1 / Math.sqrt(variance + eps));
      store<f32>(at(stats, c), mean);
      store<f32>(at(stats, channels + c), s);
      store<f32>(st, mean, 88);
      store<f32>(st, s * load<f32>(at(gamma, c)), 92);
      store<f32>(st, load<f32>(at(beta, c)), 96);
    }
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < n; j++) {
        const offset = r * stride + (c0 + j) * spatial;
        normaliseRow(at(x, offset), at(y, offset), spatial, j);
      }
    }
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
  const stride = channels * spatial, step = blockChannels(spatial);
  for (let c0 = partStart(channels, part, parts), end = partStart(channels, part + 1, parts); c0 < end; c0 += step) {
    const n = min(step, end - c0);
    for (let j = 0; j < n; j++) startSums(j, <f64>load<f32>(at(stats, c0 + j)));
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < n; j++) {
        const offset = r * stride + (c0 + j) * spatial;
        addGradientSums(at(dy, offset), at(x, offset), spatial, j);
      }
    }
    for (let j = 0; j < n; j++) {
      const c = c0 + j, st = channelState(j);
      const s = <f64>load<f32>(at(stats, channels + c));
      Sums.of(j);
      const a = Sums.a, b = Sums.b;
      store<f32>(at(sums, c), <f32>a);
      store<f32>(at(sums, channels + c), <f32>(s * b));
      const gs = <f64>load<f32>(at(gamma, c)) * s;
      store<f32>(st, load<f32>(at(stats, c)), 88);
      store<f32>(st, <f32>gs, 92);
      store<f32>(st, <f32>(-gs * s * s * b / count), 96);
      store<f32>(st, <f32>(-gs * a / count), 100);
    }
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < n; j++) {
        const offset = r * stride + (c0 + j) * spatial;
        inputGradientRow(at(dy, offset), at(x, offset), at(dx, offset), spatial, j);
      }
    }
  }
  return STATUS_OK;
}
