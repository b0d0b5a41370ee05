// Winograd F(4×4, 3×3) for stride-1 3×3 convolutions (Lavin & Gray 2016, the interpolation points 0, ±1,
// ±2 and ∞): each 4×4 block of outputs (a tile) comes from the 6×6 input window around it as
// Y = Aᵀ [Σ_c U_c ⊙ V_c] A with V_c = Bᵀ d_c B and U_c = G g_c Gᵀ: 36 products per tile and channel pair
// where F(2×2, 3×3) (winograd.ts) needs 64 for the same outputs and the direct form 144. As there, Σ_c is
// one GEMM per point ξ of the transformed tile, M_ξ[o × tiles] = U_ξ[o × c] · V_ξ[c × tiles], run by
// gemmPacked on operands transformed straight into its packed layouts. This file has the transforms and
// their tile places; the forward pass (backward data runs the flipped kernel through it, conv.ts) and the
// backward filter (the same shapes, input channels per group a multiple of MR) are winograd-driver.ts's.
//   Tiles are numbered over the batch and cut into chunks of a size that depends only on the shapes; a
// tile's arithmetic does not depend on its chunk or part and every sum runs in a fixed order, so results
// depend only on the inputs. The transforms scale by up to 8 and 1/24: a call whose outputs are not all
// finite is noted (Winograd.nonFinite) and the caller runs the exact GEMM path instead.
import { at } from "./address";
import { loadLanes, promoteHigh, storeLanes } from "./lanes";
import { ConvShape as s } from "./conv-shape";
import { MR, NR } from "./gemm-pack";
import {
  paddedHOf, paddedWOf, tilesAcrossOf, tilesDownOf, tr0, tr1, tr2, tr3, Winograd, windowOffsetOf, winogradMultiplies, winogradShape,
} from "./winograd";

/** Points of a transformed tile (6×6). */
export const POINTS: i32 = 36;
/**
 * F(4×4) runs where its multiplies (36 per tile of 4×4 outputs, partial tiles at sizes that are not a
 * multiple of 4) are at most this fraction of the direct form's (9 per output) and of F(2×2)'s: on
 * Conv-4's 64-channel layers that is 14×14 (0.33 of direct, 0.73 of F(2×2)), 7×7 (0.33, 0.56) and 3×3
 * (0.44, 0.56).
 */
const MAX_DIRECT_RATIO: f64 = 0.7;
const MAX_F2_RATIO: f64 = 0.85;
/**
 * Each part transforms all the weights (36 points per channel pair, in float64): below this many tiles per
 * group that costs more than F(4×4) saves. Conv-4's 3×3 images at batch 25 (25 tiles), two threads, F(4×4)
 * against the GEMM path: forward 0.28–0.46 against 0.49–0.57 ms, backward data 0.32–0.57 against
 * 0.83–0.93 ms; MAML's tasks of 5 such images (5 tiles) stay on the GEMM path.
 */
const MIN_TILES: i32 = 16;

@inline function tilesDown(): i32 { return tilesDownOf(4); }
@inline function tilesAcross(): i32 { return tilesAcrossOf(4); }
@inline function paddedH(): i32 { return paddedHOf(4); }
@inline function paddedW(): i32 { return paddedWOf(4); }

/** Whether the shape in ConvShape is a stride-1 3×3 convolution that F(4×4, 3×3) computes faster than the other paths. */
export function winograd4Pays(): bool {
  if (!winogradShape() || s.batch * tilesDown() * tilesAcross() < MIN_TILES) return false;
  const f4 = <f64>(36 * tilesDown() * tilesAcross());
  return f4 <= MAX_DIRECT_RATIO * <f64>(9 * s.outH * s.outW) && f4 <= MAX_F2_RATIO * <f64>winogradMultiplies();
}

// ---- weights: U = G g Gᵀ, G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1] ----

/** Stores v at p: as two float64 lanes, or `rounded` to two float32 lanes. */
@inline function put(rounded: bool, p: usize, v: v128): void {
  if (rounded) v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(p, v);
}

/**
 * G applied to (g0, g1, g2) in float64 (two kernels per vector): six results `stride` bytes apart from out,
 * as float64 pairs, or rounded to float32 pairs.
 */
@inline function gApply(rounded: bool, g0: v128, g1: v128, g2: v128, out: usize, stride: usize): void {
  const sixth = f64x2.splat(-1.0 / 6.0);
  const low = f64x2.add(f64x2.mul(g0, f64x2.splat(1.0 / 24.0)), f64x2.mul(g2, f64x2.splat(1.0 / 6.0)));
  const mid = f64x2.mul(g1, f64x2.splat(1.0 / 12.0));
  put(rounded, out, f64x2.mul(g0, f64x2.splat(0.25)));
  put(rounded, out + stride, f64x2.mul(f64x2.add(f64x2.add(g0, g1), g2), sixth));
  put(rounded, out + 2 * stride, f64x2.mul(f64x2.add(f64x2.sub(g0, g1), g2), sixth));
  put(rounded, out + 3 * stride, f64x2.add(low, mid));
  put(rounded, out + 4 * stride, f64x2.sub(low, mid));
  put(rounded, out + 5 * stride, g2);
}

/** Tap i of the 3×3 kernels at ka and kb as float64 lanes. */
@inline function taps(ka: usize, kb: usize, i: i32): v128 {
  return f64x2(<f64>load<f32>(at(ka, i)), <f64>load<f32>(at(kb, i)));
}

/**
 * U = G g Gᵀ of two 3×3 kernels (lane k from the kernel at ka, kb; rotated by 180° when flipped) in
 * float64, rounded once to float32: G g on the columns into scratch at t, then · Gᵀ on its rows, each
 * point's pair of floats stored at out + ξ·pointBytes.
 */
function transformPair(ka: usize, kb: usize, flipped: bool, t: usize, out: usize, pointBytes: usize): void {
  for (let b = 0; b < 3; b++) {
    const i0 = flipped ? 8 - b : b, i1 = flipped ? 5 - b : 3 + b, i2 = flipped ? 2 - b : 6 + b;
    gApply(false, taps(ka, kb, i0), taps(ka, kb, i1), taps(ka, kb, i2), t + (<usize>b << 4), 48);
  }
  for (let i = 0; i < 6; i++) {
    const r = t + <usize>i * 48;
    gApply(true, v128.load(r), v128.load(r, 16), v128.load(r, 32), out + <usize>(i * 6) * pointBytes, pointBytes);
  }
}

/** U for four 3×3 kernels (lane k from the kernel at kk), stored as float32 vectors `pointBytes` apart from dst. */
function transformKernels(k0: usize, k1: usize, k2: usize, k3: usize, flipped: bool, dst: usize, pointBytes: usize): void {
  transformPair(k0, k1, flipped, Rows.block, dst, pointBytes);
  transformPair(k2, k3, flipped, Rows.block, dst + 8, pointBytes);
}

/**
 * U for every (row o, depth c) of group g, into POINTS packed-A matrices (MR-row panels of [c][MR], rows
 * past ocg zero: their lanes read the zeros at `zeros`), `pointBytes` apart. With `flipped`, row o, depth
 * c takes w[g·icg + c][o] rotated by 180°.
 */
export function transformWeights(w: usize, g: i32, flipped: bool, pw: usize, pointBytes: usize, zeros: usize): void {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups, blocks = (ocg + MR - 1) / MR;
  // In the order the kernels lie in w: flipped, row o's kernels are w[·][o], so rows run inside depths.
  for (let i = 0; i < blocks * icg; i++) {
    const o = (flipped ? i % blocks : i / icg) * MR, c = flipped ? i / blocks : i % icg;
    const dst = pw + (<usize>((o / MR) * icg + c) * MR << 2);
    const k0 = kernel(w, g, flipped, o, c), k1 = o + 1 < ocg ? kernel(w, g, flipped, o + 1, c) : zeros;
    const k2 = o + 2 < ocg ? kernel(w, g, flipped, o + 2, c) : zeros, k3 = o + 3 < ocg ? kernel(w, g, flipped, o + 3, c) : zeros;
    transformKernels(k0, k1, k2, k3, flipped, dst, pointBytes);
  }
}

/** The 3×3 kernel of row o, depth c of group g (flipped: w[g·icg + c][o]). */
@inline function kernel(w: usize, g: i32, flipped: bool, o: i32, c: i32): usize {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  return flipped ? at(w, ((g * icg + c) * ocg + o) * 9) : at(w, ((g * ocg + o) * icg + c) * 9);
}

// ---- inputs: V = Bᵀ d B, Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1] ----

/** Bᵀ applied to (d0 … d5), lanes independent: the six results into out[0..6) (a v128 array in scratch). */
@inline function bt(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, out: usize, stride: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const a = f32x4.sub(d4, f32x4.mul(d2, four)), b = f32x4.sub(d3, f32x4.mul(d1, four));
  const c = f32x4.sub(d4, d2), e = f32x4.mul(f32x4.sub(d3, d1), two);
  v128.store(out, f32x4.add(f32x4.sub(f32x4.mul(d0, four), f32x4.mul(d2, five)), d4));
  v128.store(out + stride, f32x4.add(a, b));
  v128.store(out + 2 * stride, f32x4.sub(a, b));
  v128.store(out + 3 * stride, f32x4.add(c, e));
  v128.store(out + 4 * stride, f32x4.sub(c, e));
  v128.store(out + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(d1, four), f32x4.mul(d3, five)), d5));
}

/** Per-instance scratch for the transforms' intermediate vectors (ROWS_BYTES). */
export class Rows {
  static block: usize = 0;
}
export const ROWS_BYTES: usize = 2 * 864;

/**
 * V = Bᵀ d B of four 6×6 windows of xp (origins o0..o3, elements, rows `row` bytes apart), lane k from
 * window k, stored at dst + ξ·pointBytes.
 */
function transformWindows(xp: usize, o0: i32, o1: i32, o2: i32, o3: i32, row: usize, dst: usize, pointBytes: usize): void {
  const a0 = at(xp, o0), a1 = at(xp, o1), a2 = at(xp, o2), a3 = at(xp, o3);
  const t = Rows.block;
  // Columns j of the windows, row by row (lanes = windows), through Bᵀ on the rows: t[k][j] at t + (k·6 + j)·16.
  for (let j = 0; j < 6; j += 2) {
    // Columns j, j + 1 of every row: the window rows loaded four wide from column j (j = 4 reads 4..7;
    // 6 and 7 are not used).
    const off = <usize>j << 2;
    let r0 = v128.load(a0 + off), r1 = v128.load(a1 + off), r2 = v128.load(a2 + off), r3 = v128.load(a3 + off);
    const d00 = tr0(r0, r1, r2, r3), d01 = tr1(r0, r1, r2, r3);
    r0 = v128.load(a0 + row + off); r1 = v128.load(a1 + row + off); r2 = v128.load(a2 + row + off); r3 = v128.load(a3 + row + off);
    const d10 = tr0(r0, r1, r2, r3), d11 = tr1(r0, r1, r2, r3);
    r0 = v128.load(a0 + 2 * row + off); r1 = v128.load(a1 + 2 * row + off); r2 = v128.load(a2 + 2 * row + off); r3 = v128.load(a3 + 2 * row + off);
    const d20 = tr0(r0, r1, r2, r3), d21 = tr1(r0, r1, r2, r3);
    r0 = v128.load(a0 + 3 * row + off); r1 = v128.load(a1 + 3 * row + off); r2 = v128.load(a2 + 3 * row + off); r3 = v128.load(a3 + 3 * row + off);
    const d30 = tr0(r0, r1, r2, r3), d31 = tr1(r0, r1, r2, r3);
    r0 = v128.load(a0 + 4 * row + off); r1 = v128.load(a1 + 4 * row + off); r2 = v128.load(a2 + 4 * row + off); r3 = v128.load(a3 + 4 * row + off);
    const d40 = tr0(r0, r1, r2, r3), d41 = tr1(r0, r1, r2, r3);
    r0 = v128.load(a0 + 5 * row + off); r1 = v128.load(a1 + 5 * row + off); r2 = v128.load(a2 + 5 * row + off); r3 = v128.load(a3 + 5 * row + off);
    const d50 = tr0(r0, r1, r2, r3), d51 = tr1(r0, r1, r2, r3);
    bt(d00, d10, d20, d30, d40, d50, t + (<usize>j << 4), 96);
    bt(d01, d11, d21, d31, d41, d51, t + (<usize>(j + 1) << 4), 96);
  }
  // · B: Bᵀ on each row k of t, into points (k, 0..5).
  for (let k = 0; k < 6; k++) {
    const r = t + <usize>k * 96;
    bt(v128.load(r), v128.load(r, 16), v128.load(r, 32), v128.load(r, 48), v128.load(r, 64), v128.load(r, 80), dst + <usize>(k * 6) * pointBytes, pointBytes);
  }
}

@inline function windowOffset(t: i32, slots: i32): i32 { return windowOffsetOf(4, t, slots); }

/** V for four tiles (one per lane) and every channel, into the packed-B matrices at panel column j of the chunk. */
export function transformInputs(xp: usize, o0: i32, o1: i32, o2: i32, o3: i32, pb: usize, j: i32, pointBytes: usize): void {
  const plane = paddedH() * paddedW(), row = <usize>paddedW() << 2;
  let dst = pb + (<usize>((j / NR) * (s.inC / s.groups) * NR + j % NR) << 2);
  for (let c = 0; c < s.inC / s.groups; c++) {
    transformWindows(xp, o0 + c * plane, o1 + c * plane, o2 + c * plane, o3 + c * plane, row, dst, pointBytes);
    dst += NR * 4;
  }
}

// ---- outputs: Y = Aᵀ m A, Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1] ----

/** Aᵀ applied to (m0 … m5), lanes independent: four results into out[0..4) `stride` bytes apart. */
@inline function at4(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, stride: usize): void {
  const p = f32x4.add(m1, m2), q = f32x4.sub(m1, m2), r = f32x4.add(m3, m4), u = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, p), r));
  v128.store(out + stride, f32x4.add(q, f32x4.mul(u, f32x4.splat(2))));
  v128.store(out + 2 * stride, f32x4.add(p, f32x4.mul(r, f32x4.splat(4))));
  v128.store(out + 3 * stride, f32x4.add(f32x4.add(q, f32x4.mul(u, f32x4.splat(8))), m5));
}

/** Where a chunk's tiles go: per tile the offset of its first output at channel 0, and its live columns | live rows << 4. */
export function placeTiles(t0: i32, count: i32, places: usize): void {
  const per = tilesDown() * tilesAcross();
  for (let t = 0; t < count; t++) {
    const n = (t0 + t) / per, r = (t0 + t) - n * per;
    const ty = r / tilesAcross(), tx = r - ty * tilesAcross();
    const oy = 4 * ty, ox = 4 * tx;
    store<i32>(places + (<usize>t << 3), (n * s.outC * s.outH + oy) * s.outW + ox);
    store<i32>(places + (<usize>t << 3), min(4, s.outW - ox) | (min(4, s.outH - oy) << 4), 4);
  }
}

/** Stores one tile's rows (r0..r3, four outputs each) at its place, the parts inside the image. */
@inline function storeTile(r0: v128, r1: v128, r2: v128, r3: v128, yo: usize, place: usize): void {
  const q = at(yo, load<i32>(place)), live = load<i32>(place, 4);
  const cols = live & 15, rows = live >> 4, row = <usize>s.outW << 2;
  storeLanes(q, r0, cols);
  if (rows > 1) storeLanes(q + row, r1, cols);
  if (rows > 2) storeLanes(q + 2 * row, r2, cols);
  if (rows > 3) storeLanes(q + 3 * row, r3, cols);
}

/**
 * Y = Aᵀ m A for the four tiles at chunk columns [j, j + 4) of row o (products `pointBytes` apart, row
 * stride ldm), stored at channel plane yo for the live tiles. Returns a mask, non-zero where a lane is NaN or ±Inf.
 */
export function transformOutputs(mb: usize, ldm: i32, o: i32, j: i32, pointBytes: usize, yo: usize, places: usize, live: i32): v128 {
  const m = mb + (<usize>(o * ldm + j) << 2), t = Rows.block;
  // Aᵀ down each column j of the 6×6 products: s[k][j] at t + (k·6 + j)·16.
  for (let c = 0; c < 6; c++) {
    const col = m + <usize>c * pointBytes;
    at4(v128.load(col), v128.load(col + 6 * pointBytes), v128.load(col + 12 * pointBytes), v128.load(col + 18 * pointBytes),
      v128.load(col + 24 * pointBytes), v128.load(col + 30 * pointBytes), t + (<usize>c << 4), 96);
  }
  // · A along each row k: y[k][0..4) at t2 + (k·4 + i)·16.
  const t2 = t + 576;
  for (let k = 0; k < 4; k++) {
    const r = t + <usize>k * 96;
    at4(v128.load(r), v128.load(r, 16), v128.load(r, 32), v128.load(r, 48), v128.load(r, 64), v128.load(r, 80), t2 + (<usize>k << 6), 16);
  }
  let bad = i32x4.splat(0);
  const place = places + (<usize>j << 3);
  // Row k of tile i: lane i of y[k][0..4), by 4×4 transposes.
  for (let k = 0; k < 4; k++) {
    const r = t2 + (<usize>k << 6);
    const y0 = v128.load(r), y1 = v128.load(r, 16), y2 = v128.load(r, 32), y3 = v128.load(r, 48);
    bad = v128.or(bad, v128.or(v128.or(f32x4.ne(f32x4.sub(y0, y0), f32x4.splat(0)), f32x4.ne(f32x4.sub(y1, y1), f32x4.splat(0))),
      v128.or(f32x4.ne(f32x4.sub(y2, y2), f32x4.splat(0)), f32x4.ne(f32x4.sub(y3, y3), f32x4.splat(0)))));
    v128.store(r, tr0(y0, y1, y2, y3));
    v128.store(r, tr1(y0, y1, y2, y3), 16);
    v128.store(r, tr2(y0, y1, y2, y3), 32);
    v128.store(r, tr3(y0, y1, y2, y3), 48);
  }
  // Lanes past `live` repeat the chunk's last tile: their products are never stored.
  for (let i = 0; i < live; i++) {
    const lane = t2 + (<usize>i << 4);
    storeTile(v128.load(lane), v128.load(lane, 64), v128.load(lane, 128), v128.load(lane, 192), yo, place + (<usize>i << 3));
  }
  return bad;
}

// ---- backward filter: dU_ξ[c × o] = Σ_tiles V_ξ[c × t] · dM_ξ[o × t]ᵀ, dM = A dY Aᵀ, dW = Gᵀ dU G ----

/** Tiles per depth chunk of the backward-filter GEMMs. */
export const FILTER_TILES: i32 = 64;

/** Whether the backward filter (winograd-driver.ts) takes the shape: as the forward, with input channels per group a multiple of MR. */
export function winograd4FilterPays(): bool {
  return winograd4Pays() && (s.inC / s.groups) % MR == 0;
}

/** A (6×4) applied to (y0 … y3), lanes independent: six results `stride` bytes apart from out. */
@inline function aApply(y0: v128, y1: v128, y2: v128, y3: v128, out: usize, stride: usize): void {
  const p = f32x4.add(y0, y2), q = f32x4.add(y1, y3);
  const r = f32x4.add(y0, f32x4.mul(y2, f32x4.splat(4))), u = f32x4.add(f32x4.mul(y1, f32x4.splat(2)), f32x4.mul(y3, f32x4.splat(8)));
  v128.store(out, y0);
  v128.store(out + stride, f32x4.add(p, q));
  v128.store(out + 2 * stride, f32x4.sub(p, q));
  v128.store(out + 3 * stride, f32x4.add(r, u));
  v128.store(out + 4 * stride, f32x4.sub(r, u));
  v128.store(out + 5 * stride, y3);
}

/**
 * dM = A dY Aᵀ for output channels [o0, o0 + NR) of `count` tiles (places from `places`; lanes = channels,
 * channels past ocg zero), into NR-column packed-B panels ([t][NR]) `pointBytes` apart.
 */
export function transformGradients(dy: usize, g: i32, o0: i32, count: i32, places: usize, dst: usize, pointBytes: usize): void {
  const ocg = s.outC / s.groups, plane = s.outH * s.outW, row = <usize>s.outW << 2, t = Rows.block;
  const zero = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const place = places + (<usize>i << 3), live = load<i32>(place, 4), cols = live & 15, rows = live >> 4;
    for (let h = 0; h < NR; h += 4) {
      const first = at(dy, load<i32>(place) + (g * ocg + o0 + h) * plane);
      // y[k][j] (lanes = channels) at t + (k·4 + j)·16: row k of each channel's tile, transposed.
      for (let k = 0; k < 4; k++) {
        const q = first + <usize>k * row;
        const inside = k < rows;
        const r0 = inside && o0 + h < ocg ? loadLanes(q, cols) : zero;
        const r1 = inside && o0 + h + 1 < ocg ? loadLanes(q + (<usize>plane << 2), cols) : zero;
        const r2 = inside && o0 + h + 2 < ocg ? loadLanes(q + (<usize>(2 * plane) << 2), cols) : zero;
        const r3 = inside && o0 + h + 3 < ocg ? loadLanes(q + (<usize>(3 * plane) << 2), cols) : zero;
        const y = t + (<usize>k << 6);
        v128.store(y, tr0(r0, r1, r2, r3));
        v128.store(y, tr1(r0, r1, r2, r3), 16);
        v128.store(y, tr2(r0, r1, r2, r3), 32);
        v128.store(y, tr3(r0, r1, r2, r3), 48);
      }
      // A down each column j: z[i][j] at t + 256 + (i·4 + j)·16; then A along each row i into the points.
      const z = t + 256;
      for (let j = 0; j < 4; j++) {
        const c = t + (<usize>j << 4);
        aApply(v128.load(c), v128.load(c, 64), v128.load(c, 128), v128.load(c, 192), z + (<usize>j << 4), 64);
      }
      const out = dst + (<usize>h << 2);
      for (let r = 0; r < 6; r++) {
        const zr = z + (<usize>r << 6);
        aApply(v128.load(zr), v128.load(zr, 16), v128.load(zr, 32), v128.load(zr, 48), out + <usize>(r * 6) * pointBytes, pointBytes);
      }
    }
    dst += NR * 4;
  }
}

/** Gᵀ (3×6) applied to (u0 … u5), float64 lanes: component a. */
@inline function gtRow(a: i32, u0: v128, u1: v128, u2: v128, u3: v128, u4: v128, u5: v128): v128 {
  const sixth = f64x2.splat(1.0 / 6.0);
  if (a == 0) return f64x2.add(f64x2.sub(f64x2.mul(u0, f64x2.splat(0.25)), f64x2.mul(f64x2.add(u1, u2), sixth)), f64x2.mul(f64x2.add(u3, u4), f64x2.splat(1.0 / 24.0)));
  if (a == 1) return f64x2.add(f64x2.mul(f64x2.sub(u2, u1), sixth), f64x2.mul(f64x2.sub(u3, u4), f64x2.splat(1.0 / 12.0)));
  return f64x2.add(f64x2.mul(f64x2.sub(f64x2.sub(f64x2.add(u3, u4), u1), u2), sixth), u5);
}

/** Lanes 0, 1 (high: 2, 3) of the four floats at p as float64. */
@inline function promoted(p: usize, high: bool): v128 {
  const v = v128.load(p);
  return high ? promoteHigh(v) : f64x2.promote_low_f32x4(v);
}

/**
 * dW (3×3 each) = Gᵀ dU G in float64 for the dU entries of four consecutive output channels (at u, points
 * `pointBytes` apart), the live ones (1 to 4) stored from dw, `oBytes` apart; false if a value is NaN or ±Inf.
 */
function transformFilterGradients(u: usize, pointBytes: usize, dw: usize, oBytes: usize, live: i32): bool {
  const t = Rows.block;
  let bad = i32x4.splat(0);
  for (let half = 0; half < 2; half++) {
    const high = half == 1;
    // t[i][x] = (dU G)[i][x] at t + (i·3 + x)·16.
    for (let i = 0; i < 6; i++) {
      const r = u + <usize>(i * 6) * pointBytes;
      const u0 = promoted(r, high), u1 = promoted(r + pointBytes, high), u2 = promoted(r + 2 * pointBytes, high);
      const u3 = promoted(r + 3 * pointBytes, high), u4 = promoted(r + 4 * pointBytes, high), u5 = promoted(r + 5 * pointBytes, high);
      const row = t + <usize>(i * 3) * 16;
      v128.store(row, gtRow(0, u0, u1, u2, u3, u4, u5));
      v128.store(row, gtRow(1, u0, u1, u2, u3, u4, u5), 16);
      v128.store(row, gtRow(2, u0, u1, u2, u3, u4, u5), 32);
    }
    for (let x = 0; x < 3; x++) {
      const c = t + <usize>x * 16;
      const t0 = v128.load(c), t1 = v128.load(c, 48), t2 = v128.load(c, 96), t3 = v128.load(c, 144), t4 = v128.load(c, 192), t5 = v128.load(c, 240);
      for (let y = 0; y < 3; y++) {
        const v = f32x4.demote_f64x2_zero(gtRow(y, t0, t1, t2, t3, t4, t5));
        bad = v128.or(bad, f32x4.ne(f32x4.sub(v, v), f32x4.splat(0)));
        const k = <usize>(y * 3 + x) << 2, lane = 2 * half;
        if (lane < live) v128.store32_lane(dw + <usize>lane * oBytes + k, v, 0);
        if (lane + 1 < live) v128.store32_lane(dw + <usize>(lane + 1) * oBytes + k, v, 1);
      }
    }
  }
  return !v128.any_true(bad);
}

/**
 * V for the four channels from c0 (lanes = channels) of `count` tiles from global tile t0, windows in the
 * padded copy's ring of `slots` images, into MR-row packed-A panels ([t][MR]) `pointBytes` apart.
 */
export function transformInputsByChannel(xp: usize, c0: i32, slots: i32, t0: i32, count: i32, dst: usize, pointBytes: usize): void {
  const plane = paddedH() * paddedW(), row = <usize>paddedW() << 2;
  for (let t = 0; t < count; t++) {
    const o = windowOffset(t0 + t, slots) + c0 * plane;
    transformWindows(xp, o, o + plane, o + 2 * plane, o + 3 * plane, row, dst, pointBytes);
    dst += MR * 4;
  }
}

/**
 * dW (3×3 each) of output channels [0, ocg) and input channels [c0, c1) of group g from dU (points
 * `pointBytes` apart, rows of `cols` entries per input channel from c0), four output channels at a time
 * (cols, ocg rounded up to NR, keeps them inside a row); false if a value is NaN or ±Inf.
 */
export function filterGradients(du: usize, c0: i32, c1: i32, cols: i32, g: i32, pointBytes: usize, dw: usize): bool {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  let finite = true;
  for (let c = c0; c < c1; c++) {
    for (let o = 0; o < ocg; o += 4) {
      const out = at(dw, ((g * ocg + o) * icg + c) * 9), u = du + (<usize>((c - c0) * cols + o) << 2);
      if (!transformFilterGradients(u, pointBytes, out, <usize>(icg * 9) << 2, min(4, ocg - o))) finite = false;
    }
  }
  return finite;
}
