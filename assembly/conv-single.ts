// Direct 3×3, stride-1 convolutions with one input channel per group (Conv-4's first layer, also with T
// tasks as groups), forward and backward filter, on a zero-padded copy of each image plane: four output
// pixels of a row at once, the nine weights (forward) or six and three weight gradients (backward filter,
// kernel rows 0 and 1, then 2) held in registers. This replaces the GEMM path's patch matrix (9 rows) and its
// copies back to NCHW. Padding is multiplied as zeros, so calls whose weights (forward) or output gradients
// (backward filter) hold NaN/±Inf stay on the paths of conv.ts (which go to conv-direct.ts).
// Sums run in a fixed order: forward, each output over (ky, kx) in f32; backward filter, each of the nine
// sums per image as four f32 lanes over the rows (the row tails in a scalar), then lanes 0..3 and the
// tail added in f64, images in order. A call runs as part `part` of `parts` (parts.ts): forward by images
// of a group, backward filter by output channels, so results do not depend on the thread count.
import { at } from "./address";
import { allFinite } from "./conv-direct";
import { ConvShape as s } from "./conv-shape";
import { padImages } from "./im2col";
import { alloc, free } from "./memory";
import { Claim, partStart } from "./parts";
import { STATUS_OK, STATUS_OUT_OF_MEMORY } from "./status";

/** Whether this path takes the convolution's shape in ConvShape (its operands must be finite too). */
export function singleChannelShape(): bool {
  return s.inC == s.groups && s.kh == 3 && s.kw == 3 && s.strideH == 1 && s.strideW == 1 &&
    s.outH == s.inH + 2 * s.padH - 2 && s.outW == s.inW + 2 * s.padW - 2;
}

/**
 * Whether the output gradients of part `part`'s channels (every image) are finite: each part of a backward
 * filter checks only what it reads (a whole-tensor check in every part read it `parts` times).
 */
export function channelGradientsFinite(dy: usize, part: i32, parts: i32): bool {
  const first = partStart(s.outC, part, parts), end = partStart(s.outC, part + 1, parts), plane = s.outH * s.outW;
  for (let n = 0; n < s.batch; n++) {
    if (!allFinite(at(dy, (n * s.outC + first) * plane), (end - first) * plane)) return false;
  }
  return true;
}

@inline function paddedWidth(): i32 { return s.inW + 2 * s.padW; }
@inline function paddedPlane(): i32 { return (s.inH + 2 * s.padH) * paddedWidth(); }

/** y = conv2d(x, w); the work items are (image, group), claimed (parts.ts's Claim). */
export function conv2dSingle(x: usize, w: usize, y: usize, part: i32, parts: i32): i32 {
  const items = s.batch * s.groups;
  const xp = alloc(<usize>paddedPlane() << 2);
  if (!xp) return STATUS_OUT_OF_MEMORY;
  const ocg = s.outC / s.groups, wp = paddedWidth(), outPlane = s.outH * s.outW, plane = s.inH * s.inW;
  Claim.start(items, part, parts);
  for (let item = Claim.next(); item < items; item = Claim.next()) {
    const n = item / s.groups, g = item % s.groups;
    padImages(x, g * plane, n, 1, xp);
    for (let oc = g * ocg; oc < (g + 1) * ocg; oc++) {
      const wo = at(w, oc * 9);
      const w0 = v128.load32_splat(wo), w1 = v128.load32_splat(wo, 4), w2 = v128.load32_splat(wo, 8);
      const w3 = v128.load32_splat(wo, 12), w4 = v128.load32_splat(wo, 16), w5 = v128.load32_splat(wo, 20);
      const w6 = v128.load32_splat(wo, 24), w7 = v128.load32_splat(wo, 28), w8 = v128.load32_splat(wo, 32);
      const yo = at(y, (n * s.outC + oc) * outPlane);
      for (let oy = 0; oy < s.outH; oy++) {
        const r0 = at(xp, oy * wp), r1 = at(r0, wp), r2 = at(r1, wp), yRow = at(yo, oy * s.outW);
        let ox = 0;
        for (; ox + 4 <= s.outW; ox += 4) {
          const a = at(r0, ox), b = at(r1, ox), c = at(r2, ox);
          let acc = f32x4.mul(v128.load(a), w0);
          acc = f32x4.add(acc, f32x4.mul(v128.load(a, 4), w1));
          acc = f32x4.add(acc, f32x4.mul(v128.load(a, 8), w2));
          acc = f32x4.add(acc, f32x4.mul(v128.load(b), w3));
          acc = f32x4.add(acc, f32x4.mul(v128.load(b, 4), w4));
          acc = f32x4.add(acc, f32x4.mul(v128.load(b, 8), w5));
          acc = f32x4.add(acc, f32x4.mul(v128.load(c), w6));
          acc = f32x4.add(acc, f32x4.mul(v128.load(c, 4), w7));
          acc = f32x4.add(acc, f32x4.mul(v128.load(c, 8), w8));
          v128.store(at(yRow, ox), acc);
        }
        for (; ox < s.outW; ox++) {
          let acc: f32 = load<f32>(at(r0, ox)) * load<f32>(wo);
          for (let t = 1; t < 9; t++) acc += load<f32>(at(xp, (oy + t / 3) * wp + ox + t % 3)) * load<f32>(at(wo, t));
          store<f32>(at(yRow, ox), acc);
        }
      }
    }
  }
  free(xp);
  return STATUS_OK;
}

/** Lanes 0..3 of an f32x4 added in order, in f64. */
@inline function lanes(v: v128): f64 {
  return ((<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) + <f64>f32x4.extract_lane(v, 2)) + <f64>f32x4.extract_lane(v, 3);
}

/**
 * Adds to out[0..2] (f64), and with `two` to out[3..5] for the next kernel row too, the sums over the output
 * pixels of dy times the padded input at columns +0, +1, +2 of rows starting at xr (row width wp): four
 * f32 lanes over the rows, the row tails in a scalar, then lanes 0..3 and the tail added in f64.
 */
@inline function kernelRowSums(two: bool, xr: usize, dyo: usize, wp: i32, out: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, u0: f32 = 0, u1: f32 = 0, u2: f32 = 0;
  for (let oy = 0; oy < s.outH; oy++) {
    const r = at(xr, oy * wp), q = at(r, wp), dRow = at(dyo, oy * s.outW);
    let ox = 0;
    for (; ox + 4 <= s.outW; ox += 4) {
      const d = v128.load(at(dRow, ox)), a = at(r, ox);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(a), d));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(a, 4), d));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(a, 8), d));
      if (two) {
        const b = at(q, ox);
        b0 = f32x4.add(b0, f32x4.mul(v128.load(b), d));
        b1 = f32x4.add(b1, f32x4.mul(v128.load(b, 4), d));
        b2 = f32x4.add(b2, f32x4.mul(v128.load(b, 8), d));
      }
    }
    for (; ox < s.outW; ox++) {
      const d = load<f32>(at(dRow, ox)), a = at(r, ox);
      t0 += load<f32>(a) * d;
      t1 += load<f32>(a, 4) * d;
      t2 += load<f32>(a, 8) * d;
      if (two) {
        const b = at(q, ox);
        u0 += load<f32>(b) * d;
        u1 += load<f32>(b, 4) * d;
        u2 += load<f32>(b, 8) * d;
      }
    }
  }
  store<f64>(out, load<f64>(out) + (lanes(a0) + <f64>t0));
  store<f64>(out, load<f64>(out, 8) + (lanes(a1) + <f64>t1), 8);
  store<f64>(out, load<f64>(out, 16) + (lanes(a2) + <f64>t2), 16);
  if (two) {
    store<f64>(out, load<f64>(out, 24) + (lanes(b0) + <f64>u0), 24);
    store<f64>(out, load<f64>(out, 32) + (lanes(b1) + <f64>u1), 32);
    store<f64>(out, load<f64>(out, 40) + (lanes(b2) + <f64>u2), 40);
  }
}

/** dw = Σ over images and pixels of dy ⊗ patches(x); the work items are output channels. */
export function conv2dBackwardFilterSingle(x: usize, dy: usize, dw: usize, part: i32, parts: i32): i32 {
  const first = partStart(s.outC, part, parts), end = partStart(s.outC, part + 1, parts);
  if (first == end) return STATUS_OK;
  const xp = alloc(<usize>paddedPlane() << 2);
  const sums = alloc(<usize>((end - first) * 9) << 3);
  if (!xp || !sums) {
    if (xp) free(xp);
    if (sums) free(sums);
    return STATUS_OUT_OF_MEMORY;
  }
  memory.fill(sums, 0, <usize>((end - first) * 9) << 3);
  const ocg = s.outC / s.groups, wp = paddedWidth(), outPlane = s.outH * s.outW, plane = s.inH * s.inW;
  for (let n = 0; n < s.batch; n++) {
    let padded = -1;
    for (let oc = first; oc < end; oc++) {
      const g = oc / ocg;
      if (g != padded) {
        padImages(x, g * plane, n, 1, xp);
        padded = g;
      }
      const dyo = at(dy, (n * s.outC + oc) * outPlane);
      const out = sums + ((<usize>((oc - first) * 9)) << 3);
      // Kernel rows 0 and 1, then 2: six accumulators stay in registers (nine spilled), and each sum still
      // runs over the rows in order, so the order of every sum is unchanged.
      kernelRowSums(true, xp, dyo, wp, out);
      kernelRowSums(false, at(xp, 2 * wp), dyo, wp, out + (<usize>6 << 3));
    }
  }
  for (let i = 0; i < (end - first) * 9; i++) store<f32>(at(dw, first * 9 + i), <f32>load<f64>(sums + (<usize>i << 3)));
  free(xp);
  free(sums);
  return STATUS_OK;
}
