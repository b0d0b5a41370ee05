// 2-D convolution (NCHW, OIHW weights, groups) through the GEMM, per group g (K = inC/G·kh·kw rows of
// patches, P = outH·outW pixels per image):
//   forward          y_g[ocg × cols]   = W_g[ocg × K] · col[K × cols]
//   backward filter  dW_g[ocg × K]    += dY_g[ocg × cols] · col[K × cols]ᵀ
//   backward data    stride 1 and inC ≥ outC: the forward convolution of dY with the weights rotated by
//                    180° and transposed in channels (flipped while packed); otherwise
//                    dcol[K × cols] = W_gᵀ · dY_g, then col2im adds it into dx.
// Columns are output pixels, processed in chunks that keep the packed patches in L2: a piece of one
// image's pixels when images are large, several whole images when they are small (then the GEMM writes a
// [ocg × cols] matrix that is scattered back to NCHW). With enough channels, weights are packed once per
// group and patches (or patchesᵀ) straight into the GEMM's layout from a zero-padded copy of the chunk's
// images; otherwise a plain im2col matrix goes through the ordinary GEMM. Chunking depends only on the
// shapes, so the summation order (and the result) does too. Grouped convolution runs the same GEMMs per
// group, so it is as fast per FLOP as an ungrouped one of the same per-group size. Padding is multiplied as
// zeros, so operands holding NaN/±Inf (noted while packing) send a call to conv-direct.ts. Stride-1 3×3
// convolutions with enough channels run by Winograd instead (winograd4.ts, winograd.ts), back here when a result is not finite;
// 3×3 stride-1 ones with one input channel per group run directly (conv-single.ts).
import { at } from "./address";
import { allFinite, backwardFilterDirect, forwardDirect } from "./conv-direct";
import { ConvShape as s } from "./conv-shape";
import { channelGradientsFinite, conv2dBackwardFilterSingle, conv2dSingle, singleChannelShape } from "./conv-single";
import { gemm, gemmPacked, gemmReady } from "./gemm";
import { MR, NR, PackCheck, packA } from "./gemm-pack";
import { col2im, im2col, im2colPacked, im2colPackedT, padImages } from "./im2col";
import { alloc, free } from "./memory";
import { Block, partStart } from "./parts";
import { STATUS_OK, STATUS_OUT_OF_MEMORY, STATUS_SERIAL } from "./status";
import { Winograd, winogradFilterPays, winogradPays } from "./winograd";
import { winogradBackwardFilterBy, winogradForwardBy } from "./winograd-driver";
import { winograd4FilterPays, winograd4Pays } from "./winograd4";

/** The patch matrix of a chunk should stay in L2: about this many bytes, and at most MAX_COLS columns. */
const CHUNK_BYTES: i32 = 512 << 10;
const MAX_COLS: i32 = 2048;

/** How the output pixels of the batch are cut into chunks. */
class Plan {
  /** Images per chunk (1: chunks are pieces of one image). */
  static images: i32 = 1;
  /** Pixels per piece when images == 1. */
  static piece: i32 = 1;
  /** Columns of the largest chunk. */
  static cols: i32 = 1;
}

@inline function patchRows(): i32 { return (s.inC / s.groups) * s.kh * s.kw; }
@inline function pixels(): i32 { return s.outH * s.outW; }

function plan(): void {
  const k = max(patchRows(), 1), p = max(pixels(), 1);
  const target = max(64, min(MAX_COLS, CHUNK_BYTES / (4 * k)));
  if (p >= target || s.batch <= 1) {
    const pieces = (p + target - 1) / target;
    Plan.images = 1;
    Plan.piece = (p + pieces - 1) / pieces;
    Plan.cols = Plan.piece;
  } else {
    Plan.images = min(s.batch, target / p);
    Plan.piece = p;
    Plan.cols = Plan.images * p;
  }
}

/** Start of image n, channel c of an NCHW tensor with `channels` planes of `plane` elements. */
@inline function planeAt(t: usize, n: i32, channels: i32, c: i32, plane: i32): usize {
  return at(t, (n * channels + c) * plane);
}

/** Copies `rows` channel rows of `count` images between NCHW (t, channels from c0) and a [rows][count·P] matrix. */
function gatherImages(t: usize, channels: i32, c0: i32, n0: i32, count: i32, rows: i32, m: usize, toMatrix: bool): void {
  const p = pixels(), ld = count * p;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < count; i++) {
      const a = planeAt(t, n0 + i, channels, c0 + r, p), b = at(m, r * ld + i * p);
      if (toMatrix) memory.copy(b, a, <usize>p << 2);
      else memory.copy(a, b, <usize>p << 2);
    }
  }
}

/** Patches of images [n0, n0 + count) (pixels [p0, p1) when count is 1) of group g as a plain matrix. */
function patches(x: usize, g: i32, n0: i32, count: i32, p0: i32, p1: i32, col: usize): void {
  const icg = s.inC / s.groups, plane = s.inH * s.inW, p = pixels();
  const ldc = count == 1 ? p1 - p0 : count * p;
  for (let i = 0; i < count; i++) {
    const image = planeAt(x, n0 + i, s.inC, g * icg, plane);
    im2col(image, col, ldc, i * p, count == 1 ? p0 : 0, count == 1 ? p1 : p);
  }
}

@inline function roundUp(n: i32, step: i32): i32 { return (n + step - 1) / step * step; }

/** Whether some window reads padding (zeros that the GEMM multiplies). */
@inline function hasPadding(): bool { return s.padH > 0 || s.padW > 0; }

/** Whether the patch matrix of one image is the input itself (1×1 kernel, stride 1, no padding). */
@inline function patchesAreInput(): bool {
  return s.kh == 1 && s.kw == 1 && s.strideH == 1 && s.strideW == 1 && s.padH == 0 && s.padW == 0;
}

/** Whether patches are packed straight into the GEMM's layout: pays with enough channels per group. */
@inline function packsPatches(): bool { return s.inC / s.groups >= 8; }

/**
 * y = conv(x, w) for the shape in ConvShape, part `part` of `parts`: the work items are (group, chunk of
 * images, piece of pixels), each part a contiguous range of them. With `flipped`, w holds the weights of
 * the convolution being differentiated (its [g·icg' + o][c] layout) and the forward GEMM packs them
 * rotated by 180° and transposed in channels on the fly (backward data as a forward pass); then the
 * patches must be packed.
 */
function forward(x: usize, w: usize, y: usize, flipped: bool, part: i32, parts: i32): i32 {
  plan();
  shareSmallBatch();
  PackCheck.nonFinite = false;
  const k = patchRows(), p = pixels(), icg = s.inC / s.groups, ocg = s.outC / s.groups;
  const direct = !flipped && patchesAreInput() && Plan.images == 1;
  const packed = !direct && packsPatches();
  // Packed: weights packed once per group (full depth), patches per chunk straight from the images.
  // Otherwise a plain patch matrix (or the input itself) that the GEMM packs.
  const pw: usize = packed ? alloc(<usize>(roundUp(ocg, MR) * k) << 2) : 1;
  const pb: usize = direct ? 1 : alloc(<usize>((packed ? roundUp(Plan.cols, NR) : Plan.cols) * k) << 2);
  const tmp: usize = Plan.images > 1 ? alloc(<usize>(ocg * Plan.cols) << 2) : 1;
  const plane = s.inH * s.inW, paddedPlane = (s.inH + 2 * s.padH) * (s.inW + 2 * s.padW);
  // NR floats of slack: a panel's first run is loaded NR wide even where it ends early.
  const xp: usize = packed ? alloc(<usize>(Plan.images * icg * paddedPlane + NR) << 2) : 1;
  if (!pw || !pb || !tmp || !xp) {
    release(pw); release(pb); release(tmp); release(xp);
    return STATUS_OUT_OF_MEMORY;
  }
  const chunks = (s.batch + Plan.images - 1) / Plan.images;
  const pieces = Plan.images > 1 ? 1 : (p + Plan.piece - 1) / Plan.piece;
  const items = s.groups * chunks * pieces;
  let packedGroup = -1, paddedChunk = -1;
  for (let i = partStart(items, part, parts), end = partStart(items, part + 1, parts); i < end; i++) {
    const g = i / (chunks * pieces), chunk = i / pieces;
    const wg = at(w, g * ocg * k);
    if (g != packedGroup) {
      if (flipped) packFlippedWeights(pw, w, g);
      else if (packed) packA(pw, wg, k, 1, ocg, k, true);
      packedGroup = g;
    }
    const n0 = (chunk % chunks) * Plan.images;
    const count = min(Plan.images, s.batch - n0);
    const whole = count > 1;
    if (packed && chunk != paddedChunk) {
      padImages(x, g * icg * plane, n0, count, xp);
      paddedChunk = chunk;
    }
    const p0 = (i % pieces) * Plan.piece;
    const p1 = whole ? p : min(p, p0 + Plan.piece), cols = whole ? count * p : p1 - p0;
    // Where the GEMM writes: y itself for one image, else a [ocg][cols] matrix scattered afterwards.
    const out = whole ? tmp : at(planeAt(y, n0, s.outC, g * ocg, p), p0);
    const ldo = whole ? cols : p;
    if (direct) {
      gemm(ocg, cols, k, wg, k, 1, at(planeAt(x, n0, s.inC, g * icg, p), p0), p, 1, out, ldo, false);
    } else if (packed) {
      im2colPacked(xp, pb, cols, count, whole ? 0 : p0);
      gemmPacked(ocg, cols, k, pw, pb, out, ldo, false);
    } else {
      patches(x, g, n0, count, p0, p1, pb);
      gemm(ocg, cols, k, wg, k, 1, pb, cols, 1, out, ldo, false);
    }
    if (whole) gatherImages(y, s.outC, g * ocg, n0, count, ocg, tmp, false);
  }
  release(pw);
  release(pb);
  release(tmp);
  release(xp);
  return STATUS_OK;
}

/**
 * Cuts a batch that fits one chunk of whole images into about four, of at least 64 columns each, so that
 * the threads share it (12 images of Conv-4's 3×3 layer were one chunk, which one thread ran while the
 * other waited). Only for the forward GEMM: an output's sum runs over the full depth whatever its chunk.
 */
function shareSmallBatch(): void {
  if (Plan.images <= 1) return;
  const p = pixels(), few = max((s.batch + 3) / 4, (64 + p - 1) / p);
  if (Plan.images <= few) return;
  const chunks = (s.batch + few - 1) / few;
  Plan.images = (s.batch + chunks - 1) / chunks;
  Plan.cols = Plan.images * p;
}

/** Frees a scratch block (1 marks one that was not needed). */
@inline function release(block: usize): void {
  if (block > 1) free(block);
}

/** Whether a Winograd form (winograd4.ts's F(4×4, 3×3) or winograd.ts's F(2×2, 3×3)) takes the shape in ConvShape. */
@inline function winogradTakes(): bool { return winograd4Pays() || winogradPays(); }

/**
 * y = conv(x, w) by Winograd, which the caller chose by winogradTakes(): F(4×4, 3×3) where it pays, else
 * F(2×2, 3×3). STATUS_OK with Winograd.nonFinite set means an output came out NaN or ±Inf: the caller
 * reruns the exact path (in one part: the other parts may have finished theirs).
 */
function winograd(x: usize, w: usize, y: usize, flipped: bool, part: i32, parts: i32): i32 {
  return winogradForwardBy(winograd4Pays(), x, w, y, flipped, part, parts) ? STATUS_OK : STATUS_OUT_OF_MEMORY;
}

/** y = conv2d(x, w), shapes in PARAMS; part `part` of `parts`. */
export function conv2d(x: usize, w: usize, y: usize, part: i32, parts: i32): i32 {
  s.load();
  if (singleChannelShape() && allFinite(w, s.outC * 9)) return conv2dSingle(x, w, y, part, parts);
  if (!gemmReady()) return STATUS_OUT_OF_MEMORY;
  if (winogradTakes()) {
    const status = winograd(x, w, y, false, part, parts);
    if (status != STATUS_OK || !Winograd.nonFinite) return status;
    if (parts > 1) return STATUS_SERIAL;
  }
  // Non-finite weights go to the direct path (see conv-direct.ts); packed weights are checked as packed.
  const checkedWhilePacking = packsPatches() && !patchesAreInput();
  if (hasPadding() && !checkedWhilePacking && !allFinite(w, s.outC * patchRows())) {
    if (parts > 1) return STATUS_SERIAL;
    forwardDirect(x, w, y);
    return STATUS_OK;
  }
  const status = forward(x, w, y, false, part, parts);
  if (status == STATUS_OK && hasPadding() && PackCheck.nonFinite) {
    if (parts > 1) return STATUS_SERIAL;
    forwardDirect(x, w, y);
  }
  return status;
}

/**
 * dw = Σ over pixels of dy ⊗ patches(x), shapes in PARAMS; part `part` of `parts`. The work items are
 * (group, block of patch rows, i.e. of dW's columns): every part sums over all the images in the same
 * order, and packs only its block of the patches (dY, with fewer rows, is packed by each).
 */
export function conv2dBackwardFilter(x: usize, dy: usize, dw: usize, part: i32, parts: i32): i32 {
  s.load();
  if (singleChannelShape()) {
    // Non-finite gradients in some part's channels: the call reruns in one part, which takes the paths below.
    if (channelGradientsFinite(dy, part, parts)) return conv2dBackwardFilterSingle(x, dy, dw, part, parts);
    if (parts > 1) return STATUS_SERIAL;
  }
  if (!gemmReady()) return STATUS_OUT_OF_MEMORY;
  const f4 = winograd4FilterPays();
  if (f4 || winogradFilterPays()) {
    // NaN/±Inf gradients rerun on the exact path below (in one part: the others may have finished).
    if (!winogradBackwardFilterBy(f4, x, dy, dw, part, parts)) return STATUS_OUT_OF_MEMORY;
    if (!Winograd.nonFinite) return STATUS_OK;
    if (parts > 1) return STATUS_SERIAL;
  }
  plan();
  const k = patchRows(), p = pixels(), icg = s.inC / s.groups, ocg = s.outC / s.groups;
  const blocks = s.groups >= parts ? 1 : (parts + s.groups - 1) / s.groups;
  const items = s.groups * blocks;
  const first = partStart(items, part, parts), end = partStart(items, part + 1, parts);
  if (s.batch == 0 || p == 0) {
    for (let i = first; i < end; i++) {
      Block.of(k, i % blocks, blocks, NR);
      const dwg = at(dw, (i / blocks) * ocg * k);
      for (let o = 0; o < ocg; o++) memory.fill(at(dwg, o * k + Block.start), 0, <usize>(Block.end - Block.start) << 2);
    }
    return STATUS_OK;
  }
  // dY is checked for NaN/±Inf as it is packed: with padding, those go to the direct path instead.
  PackCheck.nonFinite = false;
  const check = hasPadding();
  // dW_g[ocg × K] += dY[ocg × cols] · patchesᵀ: both operands packed per chunk, patchesᵀ straight
  // from the images, dY from its rows (gathered first when a chunk spans images).
  const pa = alloc(<usize>(roundUp(ocg, MR) * Plan.cols) << 2);
  const pb = alloc(<usize>(roundUp(k, NR) * Plan.cols) << 2);
  const info = alloc(<usize>Plan.cols << 2);
  const tmp: usize = Plan.images > 1 ? alloc(<usize>(ocg * Plan.cols) << 2) : 1;
  const paddedPlane = (s.inH + 2 * s.padH) * (s.inW + 2 * s.padW);
  const xp = alloc(<usize>(Plan.images * icg * paddedPlane) << 2);
  if (!pa || !pb || !info || !tmp || !xp) {
    release(pa); release(pb); release(info); release(tmp); release(xp);
    return STATUS_OUT_OF_MEMORY;
  }
  const plane = s.inH * s.inW;
  for (let i = first; i < end; i++) {
    const g = i / blocks;
    Block.of(k, i % blocks, blocks, NR);
    const c0 = Block.start, c1 = Block.end;
    if (c0 == c1) continue;
    const dwg = at(dw, g * ocg * k);
    let firstChunk = true;
    for (let n0 = 0; n0 < s.batch; n0 += Plan.images) {
      const count = min(Plan.images, s.batch - n0);
      const whole = count > 1;
      padImages(x, g * icg * plane, n0, count, xp);
      for (let p0 = 0; p0 < p; p0 += whole ? p : Plan.piece) {
        const p1 = whole ? p : min(p, p0 + Plan.piece), cols = whole ? count * p : p1 - p0;
        if (whole) {
          gatherImages(dy, s.outC, g * ocg, n0, count, ocg, tmp, true);
          packA(pa, tmp, cols, 1, ocg, cols, check);
        } else {
          packA(pa, at(planeAt(dy, n0, s.outC, g * ocg, p), p0), p, 1, ocg, cols, check);
        }
        im2colPackedT(xp, pb, cols, count, whole ? 0 : p0, info, c0, c1);
        gemmPacked(ocg, c1 - c0, cols, pa, pb, at(dwg, c0), k, !firstChunk);
        firstChunk = false;
      }
    }
  }
  release(pa);
  release(pb);
  release(info);
  release(tmp);
  release(xp);
  if (check && PackCheck.nonFinite) {
    if (parts > 1) return STATUS_SERIAL;
    backwardFilterDirect(x, dy, dw);
  }
  return STATUS_OK;
}

/**
 * Packs group g of the flipped weights as the forward GEMM's A (MR-row panels, full depth): row c, depth
 * (o, t) is w[g·ocg + o][c] at window position kh·kw − 1 − t, where (in the swapped shape of
 * backwardDataAsForward) c counts s.outC / groups and o counts s.inC / groups.
 */
function packFlippedWeights(dst: usize, w: usize, g: i32): void {
  const rows = s.outC / s.groups, blocks = s.inC / s.groups, khw = s.kh * s.kw;
  const depth = blocks * khw;
  const rowStride = <usize>khw << 2;
  for (let c0 = 0; c0 < rows; c0 += MR) {
    const live = min(MR, rows - c0);
    let out = dst;
    for (let o = 0; o < blocks; o++) {
      const window = at(w, ((g * blocks + o) * rows + c0) * khw);
      for (let t = 0; t < khw; t++) {
        const src = at(window, khw - 1 - t);
        if (live == MR) {
          v128.store(out, f32x4(load<f32>(src), load<f32>(src + rowStride), load<f32>(src + 2 * rowStride), load<f32>(src + 3 * rowStride)));
        } else {
          for (let r = 0; r < MR; r++) store<f32>(out + (<usize>r << 2), r < live ? load<f32>(src + <usize>r * rowStride) : 0);
        }
        out += MR * 4;
      }
    }
    PackCheck.scan(dst, depth * MR);
    dst += <usize>(depth * MR) << 2;
  }
}

/**
 * Backward data for stride 1: the forward convolution of dy (padded by k − 1 − pad) with w rotated by
 * 180° and transposed in channels. The weights are flipped while being packed, when the forward packs
 * them (enough channels); otherwise into a flipped copy first.
 */
function backwardDataAsForward(dy: usize, w: usize, dx: usize, part: i32, parts: i32): i32 {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups, kh = s.kh, kw = s.kw;
  const inC = s.inC, inH = s.inH, inW = s.inW;
  s.inC = s.outC; s.inH = s.outH; s.inW = s.outW;
  s.outC = inC; s.outH = inH; s.outW = inW;
  s.padH = kh - 1 - s.padH;
  s.padW = kw - 1 - s.padW;
  if (winogradTakes()) return winograd(dy, w, dx, true, part, parts);
  if (packsPatches()) return forward(dy, w, dx, true, part, parts);
  const wt = alloc(<usize>(inC * ocg * kh * kw) << 2);
  if (!wt) return STATUS_OUT_OF_MEMORY;
  // wt[g·icg + c][o] = w[g·ocg + o][c] rotated by 180°: each kh·kw window copied in reverse.
  const khw = kh * kw;
  for (let g = 0; g < s.groups; g++) {
    for (let o = 0; o < ocg; o++) {
      for (let c = 0; c < icg; c++) {
        const src = at(w, ((g * ocg + o) * icg + c) * khw);
        const dst = at(wt, ((g * icg + c) * ocg + o) * khw);
        for (let t = 0; t < khw; t++) store<f32>(at(dst, t), load<f32>(at(src, khw - 1 - t)));
      }
    }
  }
  const status = forward(dy, wt, dx, false, part, parts);
  free(wt);
  return status;
}

/**
 * dx = the adjoint of conv2d in x applied to dy, shapes in PARAMS; part `part` of `parts`. On the col2im
 * path the work items are (group, chunk of images): col2im adds overlapping windows into dx, so the pieces
 * of an image stay in one part.
 */
export function conv2dBackwardData(dy: usize, w: usize, dx: usize, part: i32, parts: i32): i32 {
  s.load();
  if (!gemmReady()) return STATUS_OUT_OF_MEMORY;
  // The flipped-kernel forward packs patches of dy (ocg·kh·kw rows) where col2im unpacks icg·kh·kw rows,
  // so it pays when icg ≥ ocg; it pads dy with zeros, so it needs finite weights (see conv-direct.ts).
  const flippable = s.strideH == 1 && s.strideW == 1 && s.padH < s.kh && s.padW < s.kw && s.inC >= s.outC;
  // Weights with NaN/±Inf would meet dy's zero padding: the flipped forward notes them while packing
  // (or they are checked first), and then the col2im path, which multiplies no padding, runs instead.
  if (flippable && (s.outC / s.groups >= 8 || allFinite(w, s.outC * patchRows()))) {
    PackCheck.nonFinite = false;
    Winograd.nonFinite = false;
    const status = backwardDataAsForward(dy, w, dx, part, parts);
    if (status != STATUS_OK || !(PackCheck.nonFinite || Winograd.nonFinite)) return status;
    if (parts > 1) return STATUS_SERIAL;
    s.load();
  }
  plan();
  const k = patchRows(), p = pixels(), icg = s.inC / s.groups, ocg = s.outC / s.groups;
  const col = alloc(<usize>(k * Plan.cols) << 2);
  const tmp: usize = Plan.images > 1 ? alloc(<usize>(ocg * Plan.cols) << 2) : 1;
  if (!col || !tmp) { release(col); release(tmp); return STATUS_OUT_OF_MEMORY; }
  const plane = s.inH * s.inW;
  const chunks = (s.batch + Plan.images - 1) / Plan.images;
  const items = s.groups * chunks;
  for (let i = partStart(items, part, parts), end = partStart(items, part + 1, parts); i < end; i++) {
    const g = i / chunks;
    const n0 = (i % chunks) * Plan.images;
    const count = min(Plan.images, s.batch - n0);
    const wg = at(w, g * ocg * k);
    for (let n = n0; n < n0 + count; n++) memory.fill(planeAt(dx, n, s.inC, g * icg, plane), 0, <usize>(icg * plane) << 2);
    if (count == 1) {
      for (let p0 = 0; p0 < p; p0 += Plan.piece) {
        const p1 = min(p, p0 + Plan.piece), cols = p1 - p0;
        const b = at(planeAt(dy, n0, s.outC, g * ocg, p), p0);
        gemm(k, cols, ocg, wg, 1, k, b, p, 1, col, cols, false);
        col2im(col, cols, 0, planeAt(dx, n0, s.inC, g * icg, plane), p0, p1);
      }
    } else {
      const cols = count * p;
      gatherImages(dy, s.outC, g * ocg, n0, count, ocg, tmp, true);
      gemm(k, cols, ocg, wg, 1, k, tmp, cols, 1, col, cols, false);
      for (let j = 0; j < count; j++) col2im(col, cols, j * p, planeAt(dx, n0 + j, s.inC, g * icg, plane), 0, p);
    }
  }
  release(col);
  release(tmp);
  return STATUS_OK;
}
