// The drivers shared by the two Winograd forms, F(2×2, 3×3) (winograd.ts) and F(4×4, 3×3)
// (winograd4.ts), which supply the transforms and tile geometry.
//   Forward: the work items are (group, chunk of tiles), claimed (parts.ts's Claim); per item the weights
// of a new group are transformed, the chunk's images padded, its windows transformed into the GEMM's packed
// layout, one GEMM run per point, M_ξ[o × tiles] = U_ξ[o × c] · V_ξ[c × tiles], and the products
// transformed back into the output. Backward filter: the work items are (group, block of input channels), each summing
// dU_ξ[c × o] = Σ_tiles V_ξ · dM_ξᵀ over every tile in the same chunks and order, then dW = Gᵀ dU G.
//   Tiles are numbered over the batch (image, tile row, tile column) and cut into chunks of a size that
// depends only on the shapes; a tile's arithmetic does not depend on its chunk or part, and every sum runs
// in a fixed order, so results depend only on the inputs, whatever the thread count.
import { at } from "./address";
import { ConvShape as s } from "./conv-shape";
import { gemmPacked } from "./gemm";
import { MR, NR } from "./gemm-pack";
import { alloc, free } from "./memory";
import { Block, Claim, partStart } from "./parts";
import {
  chunkTilesFor, FILTER_TILES as FILTER_TILES2, filterGradients as filterGradients2, imagesSpannedOf, Padded,
  placeTiles as placeTiles2, pointStride, POINTS as POINTS2, roundUp, tilesAcrossOf, tilesDownOf,
  transformGradients as transformGradients2, transformInputs as transformInputs2,
  transformInputsByChannel as transformInputsByChannel2, transformOutputs as transformOutputs2,
  transformWeights as transformWeights2, Winograd, windowOffsetOf,
} from "./winograd";
import {
  FILTER_TILES as FILTER_TILES4, filterGradients as filterGradients4, placeTiles as placeTiles4, POINTS as POINTS4, Rows,
  ROWS_BYTES, transformGradients as transformGradients4, transformInputs as transformInputs4,
  transformInputsByChannel as transformInputsByChannel4, transformOutputs as transformOutputs4,
  transformWeights as transformWeights4,
} from "./winograd4";

/** Scratch blocks of one call (0 where not allocated): the three GEMM operands' point matrices, the padded images, tile places, F(4×4)'s transform scratch. */
class Blocks {
  static a: usize = 0;
  static b: usize = 0;
  static c: usize = 0;
  static xp: usize = 0;
  static places: usize = 0;
  static rows: usize = 0;

  /**
   * Allocates them (places and rows only when asked); false, with none held, when one does not fit. `rows`
   * is F(4×4)'s transform scratch followed by nine zeros (the kernels of its weight rows past ocg).
   */
  static take(a: usize, b: usize, c: usize, xp: usize, places: usize, rows: bool): bool {
    Blocks.a = alloc(a);
    Blocks.b = alloc(b);
    Blocks.c = alloc(c);
    Blocks.xp = alloc(xp);
    Blocks.places = places ? alloc(places) : 0;
    Blocks.rows = rows ? alloc(ROWS_BYTES + 48) : 0;
    if (Blocks.a && Blocks.b && Blocks.c && Blocks.xp && (!places || Blocks.places) && (!rows || Blocks.rows)) {
      if (rows) {
        Rows.block = Blocks.rows;
        memory.fill(Blocks.rows + ROWS_BYTES, 0, 48);
      }
      return true;
    }
    Blocks.release();
    return false;
  }

  static release(): void {
    if (Blocks.a) free(Blocks.a);
    if (Blocks.b) free(Blocks.b);
    if (Blocks.c) free(Blocks.c);
    if (Blocks.xp) free(Blocks.xp);
    if (Blocks.places) free(Blocks.places);
    if (Blocks.rows) free(Blocks.rows);
  }
}

/**
 * y = conv(x, w) by F(4×4, 3×3) when `four`, else F(2×2, 3×3), for the shape in ConvShape (the caller
 * chose the form by winograd4Pays() / winogradPays()), part `part` of `parts`. With `flipped`, w holds the
 * weights of the convolution being differentiated (backward data as a forward pass; see conv.ts). Returns
 * false when out of memory; sets Winograd.nonFinite when an output is NaN or ±Inf.
 */
export function winogradForwardBy(four: bool, x: usize, w: usize, y: usize, flipped: bool, part: i32, parts: i32): bool {
  Winograd.nonFinite = false;
  const m = four ? 4 : 2, points = four ? POINTS4 : POINTS2;
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  const per = tilesDownOf(m) * tilesAcrossOf(m), tiles = s.batch * per;
  const cols = chunkTilesFor(tiles, points);
  const chunks = (tiles + cols - 1) / cols;
  // Images a chunk can touch, and the padded copy of them.
  const spanned = imagesSpannedOf(m, cols);
  const weightPoint = pointStride(<usize>(roundUp(ocg, MR) * icg) << 2, 0);
  const inputPoint = pointStride(<usize>(cols * icg) << 2, 1);
  const productPoint = pointStride(<usize>(ocg * cols) << 2, 2);
  if (!Blocks.take(<usize>points * weightPoint, <usize>points * inputPoint, <usize>points * productPoint, Padded.bytes(m, spanned), <usize>cols << 3, four)) {
    return false;
  }
  const pw = Blocks.a, pb = Blocks.b, mb = Blocks.c, xp = Blocks.xp, places = Blocks.places;
  let bad = i32x4.splat(0);
  let transformedGroup = -1;
  Padded.start(xp, m, spanned);
  const items = s.groups * chunks, outPlane = s.outH * s.outW;
  Claim.start(items, part, parts);
  for (let i = Claim.next(); i < items; i = Claim.next()) {
    const g = i / chunks, t0 = (i % chunks) * cols, live = min(cols, tiles - t0);
    if (g != transformedGroup) {
      if (four) transformWeights4(w, g, flipped, pw, weightPoint, Blocks.rows + ROWS_BYTES);
      else transformWeights2(w, g, flipped, pw, weightPoint);
      transformedGroup = g;
    }
    Padded.cover(x, g, 0, icg, t0 / per, (t0 + live - 1) / per + 1);
    const last = t0 + live - 1;
    // Lanes past the chunk repeat its last tile (their products are never stored).
    for (let j = 0; j < roundUp(live, NR); j += 4) {
      const o0 = windowOffsetOf(m, min(t0 + j, last), spanned), o1 = windowOffsetOf(m, min(t0 + j + 1, last), spanned);
      const o2 = windowOffsetOf(m, min(t0 + j + 2, last), spanned), o3 = windowOffsetOf(m, min(t0 + j + 3, last), spanned);
      if (four) transformInputs4(xp, o0, o1, o2, o3, pb, j, inputPoint);
      else transformInputs2(xp, o0, o1, o2, o3, pb, j, inputPoint);
    }
    const n = roundUp(live, NR);
    for (let q = 0; q < points; q++) {
      gemmPacked(ocg, n, icg, pw + <usize>q * weightPoint, pb + <usize>q * inputPoint, mb + <usize>q * productPoint, cols, false);
    }
    if (four) placeTiles4(t0, live, places);
    else placeTiles2(t0, live, places);
    for (let o = 0; o < ocg; o++) {
      const yo = at(y, (g * ocg + o) * outPlane);
      for (let j = 0; j < live; j += 4) {
        const done = four ? transformOutputs4(mb, cols, o, j, productPoint, yo, places, min(4, live - j))
          : transformOutputs2(mb, cols, o, j, productPoint, yo, places, min(4, live - j));
        bad = v128.or(bad, done);
      }
    }
  }
  Blocks.release();
  if (v128.any_true(bad)) Winograd.nonFinite = true;
  return true;
}

/**
 * dw = Σ over the batch of dy ⊗ patches(x) by F(4×4, 3×3) when `four`, else F(2×2, 3×3), for the shape in
 * ConvShape (winograd4FilterPays() / winogradFilterPays()), part `part` of `parts`. Returns false when out
 * of memory; sets Winograd.nonFinite when a gradient is NaN or ±Inf.
 */
export function winogradBackwardFilterBy(four: bool, x: usize, dy: usize, dw: usize, part: i32, parts: i32): bool {
  Winograd.nonFinite = false;
  const m = four ? 4 : 2, points = four ? POINTS4 : POINTS2, chunk = four ? FILTER_TILES4 : FILTER_TILES2;
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  const per = tilesDownOf(m) * tilesAcrossOf(m), tiles = s.batch * per;
  const blocks = s.groups >= parts ? 1 : (parts + s.groups - 1) / s.groups;
  const items = s.groups * blocks;
  const cols = roundUp(ocg, NR), spanned = imagesSpannedOf(m, chunk);
  const inputPoint = pointStride(<usize>(icg * chunk) << 2, 0), gradientPoint = pointStride(<usize>(cols * chunk) << 2, 1);
  const productPoint = pointStride(<usize>(icg * cols) << 2, 2);
  // F(4×4) places each chunk's tiles once for its gradient transform; F(2×2) places them as it goes.
  if (!Blocks.take(<usize>points * inputPoint, <usize>points * gradientPoint, <usize>points * productPoint, Padded.bytes(m, spanned), four ? <usize>chunk << 3 : 0, four)) {
    return false;
  }
  const pa = Blocks.a, pb = Blocks.b, du = Blocks.c, xp = Blocks.xp, places = Blocks.places;
  Padded.start(xp, m, spanned);
  let finite = true;
  for (let i = partStart(items, part, parts), end = partStart(items, part + 1, parts); i < end; i++) {
    const g = i / blocks;
    Block.of(icg, i % blocks, blocks, MR);
    const c0 = Block.start, c1 = Block.end;
    if (c0 == c1) continue;
    if (tiles == 0) memory.fill(du, 0, <usize>points * productPoint);
    for (let t0 = 0; t0 < tiles; t0 += chunk) {
      const count = min(chunk, tiles - t0);
      // Only this item's channels: another part pads the others.
      Padded.cover(x, g, c0, c1, t0 / per, (t0 + count - 1) / per + 1);
      for (let c = c0; c < c1; c += MR) {
        const dst = pa + (<usize>((c - c0) * count) << 2);
        if (four) transformInputsByChannel4(xp, c, spanned, t0, count, dst, inputPoint);
        else transformInputsByChannel2(xp, c, spanned, t0, count, dst, inputPoint);
      }
      if (four) placeTiles4(t0, count, places);
      for (let o = 0; o < cols; o += NR) {
        const dst = pb + (<usize>(o * count) << 2);
        if (four) transformGradients4(dy, g, o, count, places, dst, gradientPoint);
        else transformGradients2(dy, g, o, t0, count, dst, gradientPoint);
      }
      for (let q = 0; q < points; q++) {
        const a = pa + <usize>q * inputPoint, b = pb + <usize>q * gradientPoint, c = du + <usize>q * productPoint;
        if (t0 > 0) gemmPacked(c1 - c0, cols, count, a, b, c, cols, true);
        else gemmPacked(c1 - c0, cols, count, a, b, c, cols, false);
      }
    }
    const done = four ? filterGradients4(du, c0, c1, cols, g, productPoint, dw) : filterGradients2(du, c0, c1, cols, g, productPoint, dw);
    if (!done) finite = false;
  }
  Blocks.release();
  Winograd.nonFinite = !finite;
  return true;
}
