// The forward pass shared by the two Winograd forms, F(2×2, 3×3) (winograd.ts) and F(4×4, 3×3)
// (winograd4.ts): the work items are (group, chunk of tiles); per item the weights of a new group are
// transformed, the chunk's images padded, its windows transformed into the GEMM's packed layout, one GEMM
// run per point, M_ξ[o × tiles] = U_ξ[o × c] · V_ξ[c × tiles], and the products transformed back into the
// output. Tiles are numbered over the batch (image, tile row, tile column) and cut into chunks of a size
// that depends only on the shapes; a tile's arithmetic does not depend on its chunk or part, and every sum
// runs in a fixed order, so results depend only on the inputs, whatever the thread count.
import { at } from "./address";
import { ConvShape as s } from "./conv-shape";
import { gemmPacked } from "./gemm";
import { MR, NR } from "./gemm-pack";
import { alloc, free } from "./memory";
import { partStart } from "./parts";
import {
  chunkTilesFor, imagesSpannedOf, Padded, paddedHOf, paddedWOf, placeTiles as placeTiles2, pointStride, POINTS as POINTS2, roundUp,
  tilesAcrossOf, tilesDownOf, transformInputs as transformInputs2, transformOutputs as transformOutputs2,
  transformWeights as transformWeights2, Winograd, windowOffsetOf,
} from "./winograd";
import {
  placeTiles as placeTiles4, POINTS as POINTS4, Rows, ROWS_BYTES, transformInputs as transformInputs4,
  transformOutputs as transformOutputs4, transformWeights as transformWeights4,
} from "./winograd4";

/** Scratch blocks of one call (0 where not allocated). */
class Blocks {
  static pw: usize = 0;
  static pb: usize = 0;
  static mb: usize = 0;
  static xp: usize = 0;
  static places: usize = 0;
  static rows: usize = 0;

  static release(): void {
    if (Blocks.pw) free(Blocks.pw);
    if (Blocks.pb) free(Blocks.pb);
    if (Blocks.mb) free(Blocks.mb);
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
  const spanned = imagesSpannedOf(m, cols), hp = paddedHOf(m), wp = paddedWOf(m);
  const weightPoint = pointStride(<usize>(roundUp(ocg, MR) * icg) << 2, 0);
  const inputPoint = pointStride(<usize>(cols * icg) << 2, 1);
  const productPoint = pointStride(<usize>(ocg * cols) << 2, 2);
  Blocks.pw = alloc(<usize>points * weightPoint);
  Blocks.pb = alloc(<usize>points * inputPoint);
  Blocks.mb = alloc(<usize>points * productPoint);
  // 4 floats of slack: a window row is loaded four wide (F(4×4): from column 4 of its six).
  Blocks.xp = alloc(<usize>(spanned * icg * hp * wp + 4) << 2);
  Blocks.places = alloc(<usize>cols << 3);
  // F(4×4)'s transform scratch, and nine zeros for the kernels of its weight rows past ocg.
  Blocks.rows = four ? alloc(ROWS_BYTES + 48) : 0;
  if (!Blocks.pw || !Blocks.pb || !Blocks.mb || !Blocks.xp || !Blocks.places || (four && !Blocks.rows)) {
    Blocks.release();
    return false;
  }
  const pw = Blocks.pw, pb = Blocks.pb, mb = Blocks.mb, xp = Blocks.xp, places = Blocks.places;
  if (four) {
    Rows.block = Blocks.rows;
    memory.fill(Blocks.rows + ROWS_BYTES, 0, 48);
  }
  let bad = i32x4.splat(0);
  let transformedGroup = -1;
  Padded.group = -1;
  const items = s.groups * chunks, outPlane = s.outH * s.outW;
  for (let i = partStart(items, part, parts), end = partStart(items, part + 1, parts); i < end; i++) {
    const g = i / chunks, t0 = (i % chunks) * cols, live = min(cols, tiles - t0);
    if (g != transformedGroup) {
      if (four) transformWeights4(w, g, flipped, pw, weightPoint, Blocks.rows + ROWS_BYTES);
      else transformWeights2(w, g, flipped, pw, weightPoint);
      transformedGroup = g;
    }
    Padded.cover(x, g, t0 / per, (t0 + live - 1) / per + 1, spanned, xp, hp, wp);
    const padded0 = Padded.n0, last = t0 + live - 1;
    // Lanes past the chunk repeat its last tile (their products are never stored).
    for (let j = 0; j < roundUp(live, NR); j += 4) {
      const o0 = windowOffsetOf(m, min(t0 + j, last), padded0), o1 = windowOffsetOf(m, min(t0 + j + 1, last), padded0);
      const o2 = windowOffsetOf(m, min(t0 + j + 2, last), padded0), o3 = windowOffsetOf(m, min(t0 + j + 3, last), padded0);
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
