// Winograd F(2×2, 3×3) for stride-1 3×3 convolutions: each 2×2 block of outputs (a tile) comes from the
// 4×4 input window around it as Y = Aᵀ [Σ_c U_c ⊙ V_c] A, with V_c = Bᵀ d_c B (input) and U_c = G g_c Gᵀ
// (weights): 16 products per tile and channel pair where the direct form needs 36. The Σ_c is a GEMM per
// point ξ of the 4×4 transformed tile: M_ξ[o × tiles] = U_ξ[o × c] · V_ξ[c × tiles], run by gemmPacked on
// weights and inputs transformed straight into its packed layouts. This file has the transforms and the tile
// geometry (shared with winograd4.ts's F(4×4, 3×3)); the drivers are winograd-driver.ts's. Backward data
// is the forward pass of the flipped kernel (conv.ts); backward filter runs the adjoint:
// dU_ξ[c × o] = Σ_tiles V_ξ · dM_ξᵀ with dM = A dY Aᵀ, then dW = Gᵀ dU G.
//   Tiles are numbered over the batch (image, tile row, tile column) and cut into chunks of a size that
// depends only on the shapes; a tile's arithmetic does not depend on its chunk or part, and every sum runs
// in a fixed order, so results depend only on the inputs, whatever the thread count (the plain-SIMD build
// adds the same bits in every engine).
//   The transforms add and subtract neighbouring values: a NaN/±Inf input or weight (or an overflow)
// would reach outputs the direct form keeps finite, so a call whose outputs are not all finite is noted
// (Winograd.nonFinite) and the caller runs the exact GEMM path instead.
import { at } from "./address";
import { ConvShape as s } from "./conv-shape";
import { MR, NR } from "./gemm-pack";
import { copyRun } from "./im2col";

/** Points of a transformed tile (4×4). */
export const POINTS: i32 = 16;
/** The transformed inputs and products of a chunk should stay in L2: about this many bytes. */
const CHUNK_BYTES: i32 = 768 << 10;
/** Below this many channels per group (in or out), the 16 thin GEMMs cost more than they save. */
const MIN_CHANNELS: i32 = 8;
/**
 * Winograd runs when its multiplies (16 per tile and channel pair, tiles of 2×2 outputs, partial ones at
 * odd sizes) are at most this fraction of the direct form's (9 per output). Measured by instruction counts
 * (callgrind, V8 optimizing tier) on Conv-4's 64-channel layers at batch 25, forward: 14×14 images (a
 * ratio of 0.44) take 0.53× the GEMM path's instructions, 7×7 (0.58) 0.67×; 3×3 images (0.79: 7 of a 2×2
 * tile grid's 16 outputs are wasted) stay on the GEMM path.
 */
const MAX_MULTIPLY_RATIO: f64 = 0.7;

export class Winograd {
  /** Set when a call produced a NaN or ±Inf (then the caller recomputes it on the exact path). */
  static nonFinite: bool = false;
}

@inline export function roundUp(n: i32, step: i32): i32 { return (n + step - 1) / step * step; }

/**
 * The byte stride between the per-point matrices of one of a call's three GEMM operands (`operand` 0, 1,
 * 2: A, B, C). Unskewed strides are multiples of 4 KB for 64 channels (a 64 × 64 matrix is 16 KB): the
 * points' panels then fall on the same L1 sets and the GEMM's loads 4K-alias its stores to C. A skew of a
 * different number of cache lines per operand measured 7–28% faster Winograd convolutions (Conv-4's 64-
 * channel layers, one thread).
 */
@inline export function pointStride(bytes: usize, operand: i32): usize { return bytes + <usize>(64 * (operand + 1)); }

// Tile geometry of a Winograd form whose tiles are m × m outputs (m = 2 here, 4 in winograd4.ts), each
// from an (m + 2) × (m + 2) window of a zero-padded copy of the input.
@inline export function tilesDownOf(m: i32): i32 { return (s.outH + m - 1) / m; }
@inline export function tilesAcrossOf(m: i32): i32 { return (s.outW + m - 1) / m; }
/** The padded copy of a plane: every tile's window lies inside. */
@inline export function paddedHOf(m: i32): i32 { return m * tilesDownOf(m) + 2; }
@inline export function paddedWOf(m: i32): i32 { return m * tilesAcrossOf(m) + 2; }

/** The padded-copy offset (elements, channel 0) of global tile t's window, its image in slot n % slots (Padded). */
@inline export function windowOffsetOf(m: i32, t: i32, slots: i32): i32 {
  const across = tilesAcrossOf(m), per = tilesDownOf(m) * across;
  const n = t / per, r = t - n * per;
  const ty = r / across, tx = r - ty * across;
  return (n % slots) * (s.inC / s.groups) * paddedHOf(m) * paddedWOf(m) + m * ty * paddedWOf(m) + m * tx;
}

@inline function tilesDown(): i32 { return tilesDownOf(2); }
@inline function tilesAcross(): i32 { return tilesAcrossOf(2); }
@inline function paddedH(): i32 { return paddedHOf(2); }
@inline function paddedW(): i32 { return paddedWOf(2); }

/**
 * Whether the shape in ConvShape is a stride-1 3×3 convolution with enough channels per group that a
 * Winograd form (this file's or winograd4.ts's) can take it.
 */
export function winogradShape(): bool {
  if (s.kh != 3 || s.kw != 3 || s.strideH != 1 || s.strideW != 1) return false;
  if (s.inC / s.groups < MIN_CHANNELS || s.outC / s.groups < MIN_CHANNELS || s.outH <= 0 || s.outW <= 0) return false;
  // The window of output (0, 0) starts at -pad: the tile windows then cover the input exactly.
  return s.padH <= 2 && s.padW <= 2 && s.inH + 2 * s.padH - 2 == s.outH && s.inW + 2 * s.padW - 2 == s.outW;
}

/** Multiplies of this file's form (16 per tile and channel pair). */
export function winogradMultiplies(): i32 { return 16 * tilesDown() * tilesAcross(); }

/** Whether the shape in ConvShape is a stride-1 3×3 convolution that F(2×2, 3×3) computes faster. */
export function winogradPays(): bool {
  if (!winogradShape()) return false;
  const winograd = <f64>(16 * tilesDown() * tilesAcross()), direct = <f64>(9 * s.outH * s.outW);
  return winograd <= MAX_MULTIPLY_RATIO * direct;
}

/** Tiles per chunk of a form of `points` points: a multiple of NR whose transformed inputs and products fit CHUNK_BYTES. */
export function chunkTilesFor(tiles: i32, points: i32): i32 {
  const perTile = points * (s.inC / s.groups + s.outC / s.groups) * 4;
  const fit = max(NR, CHUNK_BYTES / perTile / NR * NR);
  // Small batches still make about eight chunks, so that the threads share them evenly.
  return min(fit, max(NR, roundUp((tiles + 7) / 8, NR)));
}

/**
 * U = G g Gᵀ for every (row o, depth c) of group g, into POINTS packed-A matrices (MR-row panels of
 * [c][MR], rows past ocg zero), `pointBytes` apart. With `flipped`, the forward problem is the backward
 * data of the convolution whose weights are in w: row o, depth c takes w[g·icg + c][o] rotated by 180°.
 */
export function transformWeights(w: usize, g: i32, flipped: bool, pw: usize, pointBytes: usize): void {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  const rows = roundUp(ocg, MR);
  for (let o = 0; o < rows; o++) {
    for (let c = 0; c < icg; c++) {
      const dst = pw + (<usize>(((o / MR) * icg + c) * MR + o % MR) << 2);
      if (o >= ocg) {
        for (let q = 0; q < POINTS; q++) store<f32>(dst + <usize>q * pointBytes, 0);
        continue;
      }
      const src = flipped ? at(w, ((g * icg + c) * ocg + o) * 9) : at(w, ((g * ocg + o) * icg + c) * 9);
      transformWeight(src, flipped, dst, pointBytes);
    }
  }
}

/** One 3×3 kernel (rotated by 180° when flipped) → its 16 points, stored `pointBytes` apart from dst. */
@inline function transformWeight(src: usize, flipped: bool, dst: usize, pointBytes: usize): void {
  // Rows of G g: g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2 (column by column); then the same on columns.
  const a0 = kernelAt(src, flipped, 0, 0), a1 = kernelAt(src, flipped, 1, 0), a2 = kernelAt(src, flipped, 2, 0);
  const b0 = kernelAt(src, flipped, 0, 1), b1 = kernelAt(src, flipped, 1, 1), b2 = kernelAt(src, flipped, 2, 1);
  const c0 = kernelAt(src, flipped, 0, 2), c1 = kernelAt(src, flipped, 1, 2), c2 = kernelAt(src, flipped, 2, 2);
  weightRow(a0, b0, c0, dst, pointBytes);
  weightRow((a0 + a1 + a2) * 0.5, (b0 + b1 + b2) * 0.5, (c0 + c1 + c2) * 0.5, dst + 4 * pointBytes, pointBytes);
  weightRow((a0 - a1 + a2) * 0.5, (b0 - b1 + b2) * 0.5, (c0 - c1 + c2) * 0.5, dst + 8 * pointBytes, pointBytes);
  weightRow(a2, b2, c2, dst + 12 * pointBytes, pointBytes);
}

/** One row (t0, t1, t2) of G g times Gᵀ: four points. */
@inline function weightRow(t0: f32, t1: f32, t2: f32, dst: usize, pointBytes: usize): void {
  store<f32>(dst, t0);
  store<f32>(dst + pointBytes, (t0 + t1 + t2) * 0.5);
  store<f32>(dst + 2 * pointBytes, (t0 - t1 + t2) * 0.5);
  store<f32>(dst + 3 * pointBytes, t2);
}

@inline function kernelAt(src: usize, flipped: bool, y: i32, x: i32): f32 {
  return flipped ? load<f32>(at(src, 8 - (y * 3 + x))) : load<f32>(at(src, y * 3 + x));
}

/** Images that `tiles` consecutive tiles of m × m outputs can touch. */
@inline export function imagesSpannedOf(m: i32, tiles: i32): i32 {
  const per = tilesDownOf(m) * tilesAcrossOf(m);
  return min(s.batch, (tiles + per - 2) / per + 1);
}

/**
 * The zero-padded copy of a call's images that the tile windows are read from (globals: each thread's
 * instance has its own): a ring of `slots` images, [slots][icg][hp][wp] for F(m × m), image n of group g in
 * slot n % slots at (padH, padW), so that consecutive chunks of tiles pad only the images they add. The block
 * is zeroed once per call (start) and only images' interiors are written after, so the borders stay zero.
 * Images [lo, hi) of `group`, channels [c0, c1), are in place.
 */
export class Padded {
  static xp: usize = 0;
  static hp: i32 = 0;
  static wp: i32 = 0;
  static slots: i32 = 1;
  static group: i32 = -1;
  static c0: i32 = 0;
  static c1: i32 = 0;
  static lo: i32 = 0;
  static hi: i32 = 0;

  /** Bytes of a ring of `slots` images for F(m × m) (4 floats of slack: a window row is loaded four wide; F(4×4): from column 4 of its six). */
  static bytes(m: i32, slots: i32): usize {
    return <usize>(slots * (s.inC / s.groups) * paddedHOf(m) * paddedWOf(m) + 4) << 2;
  }

  /** A call's start: the ring of `slots` images for F(m × m) at xp (Padded.bytes long), zeroed, none in place. */
  static start(xp: usize, m: i32, slots: i32): void {
    memory.fill(xp, 0, Padded.bytes(m, slots));
    Padded.xp = xp;
    Padded.hp = paddedHOf(m);
    Padded.wp = paddedWOf(m);
    Padded.slots = slots;
    Padded.group = -1;
  }

  /**
   * Makes the ring hold images [n0, n1) (at most `slots` of them) of group g, channels [c0, c1), copying
   * the ones it does not hold yet.
   */
  static cover(x: usize, g: i32, c0: i32, c1: i32, n0: i32, n1: i32): void {
    if (g != Padded.group || c0 != Padded.c0 || c1 != Padded.c1 || n0 < Padded.lo || n0 > Padded.hi) {
      Padded.group = g;
      Padded.c0 = c0;
      Padded.c1 = c1;
      Padded.lo = n0;
      Padded.hi = n0;
    }
    const icg = s.inC / s.groups, plane = s.inH * s.inW, hp = Padded.hp, wp = Padded.wp;
    for (let n = Padded.hi; n < n1; n++) {
      for (let c = c0; c < c1; c++) {
        const src = at(x, (n * s.inC + g * icg + c) * plane);
        const out = at(Padded.xp, (((n % Padded.slots) * icg + c) * hp + s.padH) * wp + s.padW);
        // Rows are short (7–28 values): vector moves, not memory.copy's call per row.
        for (let y = 0; y < s.inH; y++) copyRun(at(out, y * wp), s.inW, at(src, y * s.inW), 1);
      }
    }
    Padded.hi = max(Padded.hi, n1);
    Padded.lo = max(Padded.lo, Padded.hi - Padded.slots);
  }
}

@inline function windowOffset(t: i32, slots: i32): i32 { return windowOffsetOf(2, t, slots); }

/** 4×4 transpose: lane k of result j is lane j of r_k. */
@inline export function tr0(a: v128, b: v128, c: v128, d: v128): v128 {
  return i32x4.shuffle(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(c, d, 0, 4, 1, 5), 0, 1, 4, 5);
}
@inline export function tr1(a: v128, b: v128, c: v128, d: v128): v128 {
  return i32x4.shuffle(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(c, d, 0, 4, 1, 5), 2, 3, 6, 7);
}
@inline export function tr2(a: v128, b: v128, c: v128, d: v128): v128 {
  return i32x4.shuffle(i32x4.shuffle(a, b, 2, 6, 3, 7), i32x4.shuffle(c, d, 2, 6, 3, 7), 0, 1, 4, 5);
}
@inline export function tr3(a: v128, b: v128, c: v128, d: v128): v128 {
  return i32x4.shuffle(i32x4.shuffle(a, b, 2, 6, 3, 7), i32x4.shuffle(c, d, 2, 6, 3, 7), 2, 3, 6, 7);
}

/**
 * V = Bᵀ d B for four tiles (one per lane) and every channel, into the POINTS packed-B matrices
 * (`pointBytes` apart) at panel column j of the chunk. Window origins o0..o3 (elements of xp).
 */
export function transformInputs(xp: usize, o0: i32, o1: i32, o2: i32, o3: i32, pb: usize, j: i32, pointBytes: usize): void {
  const plane = paddedH() * paddedW();
  let dst = pb + (<usize>((j / NR) * (s.inC / s.groups) * NR + j % NR) << 2);
  for (let c = 0; c < s.inC / s.groups; c++) {
    transformWindows(xp, o0 + c * plane, o1 + c * plane, o2 + c * plane, o3 + c * plane, dst, pointBytes);
    dst += NR * 4;
  }
}

/** V = Bᵀ d B of four 4×4 windows of xp (origins o0..o3, elements), lane k from window k, stored at dst + ξ·pointBytes. */
@inline function transformWindows(xp: usize, o0: i32, o1: i32, o2: i32, o3: i32, dst: usize, pointBytes: usize): void {
  const row = <usize>paddedW() << 2;
  const a0 = at(xp, o0), a1 = at(xp, o1), a2 = at(xp, o2), a3 = at(xp, o3);
  // Rows i of the four windows, transposed so that lane k holds window k: d[i][col].
  let r0 = v128.load(a0), r1 = v128.load(a1), r2 = v128.load(a2), r3 = v128.load(a3);
  const d00 = tr0(r0, r1, r2, r3), d01 = tr1(r0, r1, r2, r3), d02 = tr2(r0, r1, r2, r3), d03 = tr3(r0, r1, r2, r3);
  r0 = v128.load(a0 + row); r1 = v128.load(a1 + row); r2 = v128.load(a2 + row); r3 = v128.load(a3 + row);
  const d10 = tr0(r0, r1, r2, r3), d11 = tr1(r0, r1, r2, r3), d12 = tr2(r0, r1, r2, r3), d13 = tr3(r0, r1, r2, r3);
  r0 = v128.load(a0 + 2 * row); r1 = v128.load(a1 + 2 * row); r2 = v128.load(a2 + 2 * row); r3 = v128.load(a3 + 2 * row);
  const d20 = tr0(r0, r1, r2, r3), d21 = tr1(r0, r1, r2, r3), d22 = tr2(r0, r1, r2, r3), d23 = tr3(r0, r1, r2, r3);
  r0 = v128.load(a0 + 3 * row); r1 = v128.load(a1 + 3 * row); r2 = v128.load(a2 + 3 * row); r3 = v128.load(a3 + 3 * row);
  const d30 = tr0(r0, r1, r2, r3), d31 = tr1(r0, r1, r2, r3), d32 = tr2(r0, r1, r2, r3), d33 = tr3(r0, r1, r2, r3);
  // Bᵀ d: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3; then · B: the same on the columns.
  inputColumns(f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23), dst, pointBytes);
  inputColumns(f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23), dst + 4 * pointBytes, pointBytes);
  inputColumns(f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13), dst + 8 * pointBytes, pointBytes);
  inputColumns(f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33), dst + 12 * pointBytes, pointBytes);
}

@inline function inputColumns(t0: v128, t1: v128, t2: v128, t3: v128, dst: usize, pointBytes: usize): void {
  v128.store(dst, f32x4.sub(t0, t2));
  v128.store(dst + pointBytes, f32x4.add(t1, t2));
  v128.store(dst + 2 * pointBytes, f32x4.sub(t2, t1));
  v128.store(dst + 3 * pointBytes, f32x4.sub(t1, t3));
}

/**
 * Y = Aᵀ m A for the four tiles at chunk columns [j, j + 4) of row o (products `pointBytes` apart, row
 * stride ldm), stored at channel plane yo for the live tiles (their places in `places`, from entry j).
 * Returns a mask that is non-zero where a lane is NaN or ±Inf.
 */
export function transformOutputs(mb: usize, ldm: i32, o: i32, j: i32, pointBytes: usize, yo: usize, places: usize, live: i32): v128 {
  const m = mb + (<usize>(o * ldm + j) << 2);
  // Aᵀ m: rows m0 + m1 + m2 and m1 − m2 − m3.
  const m1 = m + 4 * pointBytes, m2 = m + 8 * pointBytes, m3 = m + 12 * pointBytes;
  const s00 = f32x4.add(f32x4.add(v128.load(m), v128.load(m1)), v128.load(m2));
  const s01 = f32x4.add(f32x4.add(v128.load(m + pointBytes), v128.load(m1 + pointBytes)), v128.load(m2 + pointBytes));
  const s02 = f32x4.add(f32x4.add(v128.load(m + 2 * pointBytes), v128.load(m1 + 2 * pointBytes)), v128.load(m2 + 2 * pointBytes));
  const s03 = f32x4.add(f32x4.add(v128.load(m + 3 * pointBytes), v128.load(m1 + 3 * pointBytes)), v128.load(m2 + 3 * pointBytes));
  const s10 = f32x4.sub(f32x4.sub(v128.load(m1), v128.load(m2)), v128.load(m3));
  const s11 = f32x4.sub(f32x4.sub(v128.load(m1 + pointBytes), v128.load(m2 + pointBytes)), v128.load(m3 + pointBytes));
  const s12 = f32x4.sub(f32x4.sub(v128.load(m1 + 2 * pointBytes), v128.load(m2 + 2 * pointBytes)), v128.load(m3 + 2 * pointBytes));
  const s13 = f32x4.sub(f32x4.sub(v128.load(m1 + 3 * pointBytes), v128.load(m2 + 3 * pointBytes)), v128.load(m3 + 3 * pointBytes));
  // · A: columns s0 + s1 + s2 and s1 − s2 − s3.
  const y00 = f32x4.add(f32x4.add(s00, s01), s02), y01 = f32x4.sub(f32x4.sub(s01, s02), s03);
  const y10 = f32x4.add(f32x4.add(s10, s11), s12), y11 = f32x4.sub(f32x4.sub(s11, s12), s13);
  // Lane k of tile k: (y00, y01, y10, y11).
  const place = places + (<usize>j << 3);
  storeTile(tr0(y00, y01, y10, y11), yo, place);
  if (live > 1) storeTile(tr1(y00, y01, y10, y11), yo, place + 8);
  if (live > 2) storeTile(tr2(y00, y01, y10, y11), yo, place + 16);
  if (live > 3) storeTile(tr3(y00, y01, y10, y11), yo, place + 24);
  let bad = v128.or(f32x4.ne(f32x4.sub(y00, y00), f32x4.splat(0)), f32x4.ne(f32x4.sub(y01, y01), f32x4.splat(0)));
  bad = v128.or(bad, f32x4.ne(f32x4.sub(y10, y10), f32x4.splat(0)));
  return v128.or(bad, f32x4.ne(f32x4.sub(y11, y11), f32x4.splat(0)));
}

/** Where tileOutput's tile starts in its image: TileAt.oy, TileAt.ox (globals: per instance). */
class TileAt {
  static oy: i32 = 0;
  static ox: i32 = 0;
}

/** The element offset of global tile t's first output at channel o of group g in an NCHW output. */
@inline function tileOutput(t: i32, g: i32, o: i32): i32 {
  const per = tilesDown() * tilesAcross();
  const n = t / per, r = t - n * per;
  const ty = r / tilesAcross();
  TileAt.oy = 2 * ty;
  TileAt.ox = 2 * (r - ty * tilesAcross());
  return ((n * s.outC + g * (s.outC / s.groups) + o) * s.outH + TileAt.oy) * s.outW + TileAt.ox;
}

/** A tile's second column lies inside the output (bit 0), its second row (bit 1). */
const RIGHT: i32 = 1, DOWN: i32 = 2;

/** RIGHT | DOWN for the tile tileOutput last placed. */
@inline function tileInside(): i32 {
  return (TileAt.ox + 1 < s.outW ? RIGHT : 0) | (TileAt.oy + 1 < s.outH ? DOWN : 0);
}

/**
 * The places of `count` tiles from global tile t0, two i32 each from `places`: the element offset of the
 * tile's first output at channel 0, and which of its outputs lie inside (RIGHT | DOWN). Computed once per
 * chunk, so that the output transform of every channel only adds the channel's plane.
 */
export function placeTiles(t0: i32, count: i32, places: usize): void {
  for (let t = 0; t < count; t++) {
    store<i32>(places + (<usize>t << 3), tileOutput(t0 + t, 0, 0));
    store<i32>(places + (<usize>t << 3), tileInside(), 4);
  }
}

/** Stores a tile's outputs (v = y00, y01, y10, y11) at its place, the parts inside the image. */
@inline function storeTile(v: v128, yo: usize, place: usize): void {
  const q = at(yo, load<i32>(place)), inside = load<i32>(place, 4);
  const row = <usize>s.outW << 2;
  if (inside & RIGHT) {
    v128.store64_lane(q, v, 0);
    if (inside & DOWN) v128.store64_lane(q + row, v, 1);
  } else {
    v128.store32_lane(q, v, 0);
    if (inside & DOWN) v128.store32_lane(q + row, v, 2);
  }
}

// ---- backward filter: dU_ξ[c × o] = Σ_tiles V_ξ[c × t] · dM_ξ[o × t]ᵀ, dM = A dY Aᵀ, dW = Gᵀ dU G ----

/** Tiles per depth chunk of the backward-filter GEMMs (a multiple of 4). */
export const FILTER_TILES: i32 = 128;

/**
 * V for the four channels at window offsets o0..o3 (one tile, lanes = channels) of `count` tiles from
 * global tile t0, into MR-row packed-A panels ([t][MR]) `pointBytes` apart.
 */
export function transformInputsByChannel(xp: usize, c0: i32, slots: i32, t0: i32, count: i32, dst: usize, pointBytes: usize): void {
  const plane = paddedH() * paddedW();
  for (let t = 0; t < count; t++) {
    const o = windowOffset(t0 + t, slots) + c0 * plane;
    transformWindows(xp, o, o + plane, o + 2 * plane, o + 3 * plane, dst, pointBytes);
    dst += MR * 4;
  }
}

/** dY of one output channel at a tile (q: its first output, `inside`: RIGHT | DOWN): (y00, y01, y10, y11), zero outside the output. */
@inline function gradientTile(q: usize, inside: i32): v128 {
  const row = <usize>s.outW << 2;
  if (inside == (RIGHT | DOWN)) return v128.load64_lane(q + row, v128.load64_zero(q), 1);
  const right = (inside & RIGHT) != 0, down = (inside & DOWN) != 0;
  return f32x4(load<f32>(q), right ? load<f32>(q, 4) : 0, down ? load<f32>(q + row) : 0, right && down ? load<f32>(q + row, 4) : 0);
}

/**
 * dM = A dY Aᵀ for output channels [o0, o0 + NR) of `count` tiles from t0 (lanes = channels, channels
 * past ocg zero), into NR-column packed-B panels ([t][NR]) `pointBytes` apart.
 */
export function transformGradients(dy: usize, g: i32, o0: i32, t0: i32, count: i32, dst: usize, pointBytes: usize): void {
  const ocg = s.outC / s.groups, plane = <usize>(s.outH * s.outW) << 2;
  for (let t = 0; t < count; t++) {
    const first = at(dy, tileOutput(t0 + t, g, o0)), inside = tileInside();
    for (let h = 0; h < NR; h += 4) {
      const o = o0 + h, q = first + <usize>h * plane;
      const z = f32x4.splat(0);
      const r0 = o < ocg ? gradientTile(q, inside) : z;
      const r1 = o + 1 < ocg ? gradientTile(q + plane, inside) : z;
      const r2 = o + 2 < ocg ? gradientTile(q + 2 * plane, inside) : z;
      const r3 = o + 3 < ocg ? gradientTile(q + 3 * plane, inside) : z;
      // Lanes = channels: y00, y01, y10, y11.
      const y00 = tr0(r0, r1, r2, r3), y01 = tr1(r0, r1, r2, r3), y10 = tr2(r0, r1, r2, r3), y11 = tr3(r0, r1, r2, r3);
      // A dY: rows y0, y0 + y1, y0 − y1, −y1; then · Aᵀ: the same on the columns.
      const out = dst + (<usize>h << 2);
      gradientColumns(y00, y01, out, pointBytes);
      gradientColumns(f32x4.add(y00, y10), f32x4.add(y01, y11), out + 4 * pointBytes, pointBytes);
      gradientColumns(f32x4.sub(y00, y10), f32x4.sub(y01, y11), out + 8 * pointBytes, pointBytes);
      gradientColumns(f32x4.neg(y10), f32x4.neg(y11), out + 12 * pointBytes, pointBytes);
    }
    dst += NR * 4;
  }
}

@inline function gradientColumns(r0: v128, r1: v128, dst: usize, pointBytes: usize): void {
  v128.store(dst, r0);
  v128.store(dst + pointBytes, f32x4.add(r0, r1));
  v128.store(dst + 2 * pointBytes, f32x4.sub(r0, r1));
  v128.store(dst + 3 * pointBytes, f32x4.neg(r1));
}

/** dW (3×3, at dw) = Gᵀ dU G from the 16 points of one dU entry (at u, `pointBytes` apart). */
function transformFilterGradient(u: usize, pointBytes: usize, dw: usize): void {
  for (let i = 0; i < 3; i++) {
    const t0 = gtColumn(u, 0, pointBytes, i), t1 = gtColumn(u, 1, pointBytes, i);
    const t2 = gtColumn(u, 2, pointBytes, i), t3 = gtColumn(u, 3, pointBytes, i);
    store<f32>(at(dw, i * 3), gt(0, t0, t1, t2, t3));
    store<f32>(at(dw, i * 3 + 1), gt(1, t0, t1, t2, t3));
    store<f32>(at(dw, i * 3 + 2), gt(2, t0, t1, t2, t3));
  }
}

/** Row i of Gᵀ applied to (u0, u1, u2, u3): u0 + (u1 + u2)/2, (u1 − u2)/2, (u1 + u2)/2 + u3. */
@inline function gt(i: i32, u0: f32, u1: f32, u2: f32, u3: f32): f32 {
  return i == 0 ? u0 + (u1 + u2) * 0.5 : i == 1 ? (u1 - u2) * 0.5 : (u1 + u2) * 0.5 + u3;
}

/** Row i of Gᵀ dU at column j. */
@inline function gtColumn(u: usize, j: i32, pointBytes: usize, i: i32): f32 {
  return gt(i, load<f32>(u + <usize>j * pointBytes), load<f32>(u + <usize>(4 + j) * pointBytes),
    load<f32>(u + <usize>(8 + j) * pointBytes), load<f32>(u + <usize>(12 + j) * pointBytes));
}

/** Whether the backward filter (winograd-driver.ts) takes the shape: as the forward, with input channels per group a multiple of MR. */
export function winogradFilterPays(): bool {
  return winogradPays() && (s.inC / s.groups) % MR == 0;
}

/**
 * dW (3×3 each) of output channels [0, ocg) and input channels [c0, c1) of group g from dU (points
 * `pointBytes` apart, rows of `cols` entries per input channel from c0); false if a value is NaN or ±Inf.
 */
export function filterGradients(du: usize, c0: i32, c1: i32, cols: i32, g: i32, pointBytes: usize, dw: usize): bool {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  let bad = false;
  for (let c = c0; c < c1; c++) {
    for (let o = 0; o < ocg; o++) {
      const out = at(dw, ((g * ocg + o) * icg + c) * 9);
      transformFilterGradient(du + (<usize>((c - c0) * cols + o) << 2), pointBytes, out);
      for (let k = 0; k < 9; k++) {
        const v = load<f32>(at(out, k));
        if (v - v != 0) bad = true;
      }
    }
  }
  return !bad;
}
