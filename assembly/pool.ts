// Max pooling over NCHW planes (no padding, floor), with the flat index (row·inW + col) of the chosen
// element. The scan is the reference's: row-major over the window, the first maximum wins, and a NaN wins
// over everything (the first NaN). Four outputs of a row are computed at once where the stride is 1 or 2;
// 2×2 windows at stride 2 (Conv-4's) read each row pair once and run the scan as a tree.
// A call runs as part `part` of `parts` (parts.ts): a contiguous range of planes each.
// affinePoolRelu runs the same scan over ((x + a) − m)·s + b (per-channel a, m, s, b; each step rounded to
// f32, as the fused elementwise chain computes it), then ReLU, without indices.
import { at } from "./address";
import { storeLanes } from "./lanes";
import { partStart } from "./parts";
import { STATUS_OK } from "./status";

/** The channel values of affinePoolRelu's current plane, splatted. */
class Affine {
  static a: v128 = f32x4.splat(0);
  static m: v128 = f32x4.splat(0);
  static s: v128 = f32x4.splat(0);
  static b: v128 = f32x4.splat(0);

  @inline static load(channel: usize, channels: i32, c: i32): void {
    Affine.a = v128.load32_splat(at(channel, c));
    Affine.m = v128.load32_splat(at(channel, channels + c));
    Affine.s = v128.load32_splat(at(channel, 2 * channels + c));
    Affine.b = v128.load32_splat(at(channel, 3 * channels + c));
  }

  @inline static map(v: v128): v128 {
    return f32x4.add(f32x4.mul(f32x4.sub(f32x4.add(v, Affine.a), Affine.m), Affine.s), Affine.b);
  }
}

/** ReLU as the op table's relu: x > 0 ? x : NaN ? x : 0. */
@inline function reluX4(x: v128): v128 {
  const zero = f32x4.splat(0);
  return v128.bitselect(x, zero, v128.or(f32x4.gt(x, zero), f32x4.ne(x, x)));
}

/**
 * Whether the scan takes `v` over `best`: the first NaN wins, else the first strict maximum (so −0 and +0
 * tie, and the earlier one stays).
 */
@inline function takes(v: v128, best: v128): v128 {
  return v128.and(f32x4.eq(best, best), v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
}

/** Four window elements `stride` apart from p (stride 1 or 2). */
@inline function loadStrided(p: usize, stride: i32): v128 {
  if (stride == 1) return v128.load(p);
  return i32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

@inline function poolRowX4(
  affine: bool, stride: i32, xPlane: usize, yRow: usize, iRow: usize, oy: i32, ox: i32, inW: i32, kh: i32, kw: i32, sh: i32,
): void {
  const lanes = i32x4(0, stride, 2 * stride, 3 * stride);
  let best = f32x4.splat(-Infinity);
  let arg = i32x4.add(i32x4.splat(oy * sh * inW + ox * stride), lanes);
  for (let ky = 0; ky < kh; ky++) {
    const rowFlat = (oy * sh + ky) * inW + ox * stride;
    for (let kx = 0; kx < kw; kx++) {
      const flat = rowFlat + kx;
      const x = loadStrided(at(xPlane, flat), stride);
      const v = affine ? Affine.map(x) : x;
      const take = takes(v, best);
      best = v128.bitselect(v, best, take);
      if (!affine) arg = v128.bitselect(i32x4.add(i32x4.splat(flat), lanes), arg, take);
    }
  }
  if (affine) {
    v128.store(at(yRow, ox), reluX4(best));
  } else {
    v128.store(at(yRow, ox), best);
    v128.store(at(iRow, ox), arg);
  }
}

@inline function poolOne(
  affine: bool, xPlane: usize, yRow: usize, iRow: usize, oy: i32, ox: i32, inW: i32, kh: i32, kw: i32, sh: i32, sw: i32,
): void {
  let best: f32 = -Infinity;
  let arg = oy * sh * inW + ox * sw;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const flat = (oy * sh + ky) * inW + ox * sw + kx;
      const x = load<f32>(at(xPlane, flat));
      const v = affine ? f32x4.extract_lane(Affine.map(f32x4.splat(x)), 0) : x;
      if (best == best && (v > best || v != v)) {
        best = v;
        arg = flat;
      }
    }
  }
  if (affine) {
    store<f32>(at(yRow, ox), f32x4.extract_lane(reluX4(f32x4.splat(best)), 0));
  } else {
    store<f32>(at(yRow, ox), best);
    store<i32>(at(iRow, ox), arg);
  }
}

/** With `affine`, `channel` holds affinePoolRelu's [4, channels] values and `indices` is not written. */
@inline function poolPlanes(
  affine: bool, vectorStride: i32, x: usize, channel: usize, channels: i32, y: usize, indices: usize, planes: i32,
  inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, sw: i32, part: i32, parts: i32,
): void {
  const plane = inH * inW;
  for (let p = partStart(planes, part, parts), end = partStart(planes, part + 1, parts); p < end; p++) {
    if (affine) Affine.load(channel, channels, p % channels);
    const xPlane = at(x, p * plane);
    // Vector loads read up to 8 elements from a window's column start: keep them inside the buffer.
    const lastPlane = p == planes - 1;
    for (let oy = 0; oy < outH; oy++) {
      const yRow = at(y, (p * outH + oy) * outW);
      const iRow = at(indices, (p * outH + oy) * outW);
      let ox = 0;
      if (vectorStride) {
        const rowEnd = (oy * sh + kh - 1) * inW;
        for (; ox + 4 <= outW; ox += 4) {
          if (lastPlane && rowEnd + ox * sw + kw - 1 + 8 > plane) break;
          poolRowX4(affine, vectorStride, xPlane, yRow, iRow, oy, ox, inW, kh, kw, sh);
        }
        // A ragged end: recompute the last four outputs of the row (same values) instead of one by one.
        const last = outW - 4;
        if (ox < outW && last >= 0 && !(lastPlane && rowEnd + last * sw + kw - 1 + 8 > plane)) {
          poolRowX4(affine, vectorStride, xPlane, yRow, iRow, oy, last, inW, kh, kw, sh);
          ox = outW;
        }
      }
      for (; ox < outW; ox++) poolOne(affine, xPlane, yRow, iRow, oy, ox, inW, kh, kw, sh, sw);
    }
  }
}

/**
 * Four outputs of a 2×2, stride-2 pool with indices from row pair (r0, r0 + inW) at column 2·ox (flat
 * position `flat` of r0): the window's four elements split into lanes by two shuffles per row, then the
 * scan as a tree, (0,0)·(0,1) and (1,0)·(1,1), then the two winners: the same element as the row-major
 * scan (the first NaN, else the first maximum, and the tree keeps the earlier of equal values).
 */
@inline function pair4(r0: usize, inW: i32, flat: i32, yRow: usize, iRow: usize, ox: i32, count: i32): void {
  const r1 = r0 + (<usize>inW << 2);
  const a = v128.load(r0), b = v128.load(r0, 16), c = v128.load(r1), d = v128.load(r1, 16);
  const v0 = i32x4.shuffle(a, b, 0, 2, 4, 6), v1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
  const v2 = i32x4.shuffle(c, d, 0, 2, 4, 6), v3 = i32x4.shuffle(c, d, 1, 3, 5, 7);
  const t01 = takes(v1, v0), t23 = takes(v3, v2);
  const top = v128.bitselect(v1, v0, t01), bottom = v128.bitselect(v3, v2, t23);
  const t = takes(bottom, top);
  // Offsets in the window: 0 or 1 in the top row, inW or inW + 1 in the bottom one.
  const one = i32x4.splat(1), row = i32x4.splat(inW);
  const topAt = v128.and(t01, one), bottomAt = i32x4.add(row, v128.and(t23, one));
  const arg = i32x4.add(i32x4.add(i32x4.splat(flat), i32x4(0, 2, 4, 6)), v128.bitselect(bottomAt, topAt, t));
  storeLanes(at(yRow, ox), v128.bitselect(bottom, top, t), count);
  storeLanes(at(iRow, ox), arg, count);
}

/**
 * maxPool2d for 2×2 windows at stride 2 (Conv-4's pools), every output row in groups of four, the last
 * group partial; reads past a row's end as affinePool2x2 does, the end of the last plane by the scan.
 */
function maxPool2x2(x: usize, y: usize, indices: usize, planes: i32, inH: i32, inW: i32, outH: i32, outW: i32, part: i32, parts: i32): void {
  const plane = inH * inW;
  for (let p = partStart(planes, part, parts), end = partStart(planes, part + 1, parts); p < end; p++) {
    const xPlane = at(x, p * plane);
    const lastPlane = p == planes - 1;
    for (let oy = 0; oy < outH; oy++) {
      const yRow = at(y, (p * outH + oy) * outW), iRow = at(indices, (p * outH + oy) * outW), rowStart = 2 * oy * inW;
      for (let ox = 0; ox < outW; ox += 4) {
        if (lastPlane && rowStart + inW + 2 * ox + 8 > plane) {
          for (let o = ox; o < outW; o++) poolOne(false, xPlane, yRow, iRow, oy, o, inW, 2, 2, 2, 2);
          break;
        }
        pair4(at(xPlane, rowStart + 2 * ox), inW, rowStart + 2 * ox, yRow, iRow, ox, min(4, outW - ox));
      }
    }
  }
}

/** y, indices [planes, outH, outW] = max pool of x [planes, inH, inW]; part `part` of `parts`. */
export function maxPool2d(
  x: usize, y: usize, indices: usize, planes: i32, inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, part: i32, parts: i32,
): i32 {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2) maxPool2x2(x, y, indices, planes, inH, inW, outH, outW, part, parts);
  else if (sw == 2) poolPlanes(false, 2, x, 0, 1, y, indices, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  else if (sw == 1) poolPlanes(false, 1, x, 0, 1, y, indices, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  else poolPlanes(false, 0, x, 0, 1, y, indices, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  return STATUS_OK;
}

/**
 * Four outputs of a 2×2, stride-2 affine pool from row pair (r0, r0 + inW) at column 2·ox: the map on eight
 * elements of each row, the maximum down the columns, then across the column pairs. Without indices the
 * scan order cannot show: the maximum is the same value whatever the order (f32x4.max: NaN wins), and the
 * ReLU turns −0 into +0.
 */
@inline function affinePair4(r0: usize, inW: i32): v128 {
  const r1 = r0 + (<usize>inW << 2);
  const left = f32x4.max(Affine.map(v128.load(r0)), Affine.map(v128.load(r1)));
  const right = f32x4.max(Affine.map(v128.load(r0, 16)), Affine.map(v128.load(r1, 16)));
  return reluX4(f32x4.max(i32x4.shuffle(left, right, 0, 2, 4, 6), i32x4.shuffle(left, right, 1, 3, 5, 7)));
}

/**
 * As affinePair4 where the map is monotone: with finite a, m, b and a finite non-zero scale, each rounded
 * step of ((x + a) − m)·s + b is monotone in x (±Inf included, NaN stays NaN), so the maximum of the mapped
 * window is the map of the window's maximum (s > 0) or minimum (s < 0): one map per output, not four.
 */
@inline function monotonePair4(r0: usize, inW: i32, increasing: bool): v128 {
  const r1 = r0 + (<usize>inW << 2);
  const a = v128.load(r0), b = v128.load(r1), c = v128.load(r0, 16), d = v128.load(r1, 16);
  const left = increasing ? f32x4.max(a, b) : f32x4.min(a, b), right = increasing ? f32x4.max(c, d) : f32x4.min(c, d);
  const even = i32x4.shuffle(left, right, 0, 2, 4, 6), odd = i32x4.shuffle(left, right, 1, 3, 5, 7);
  return reluX4(Affine.map(increasing ? f32x4.max(even, odd) : f32x4.min(even, odd)));
}

/**
 * affinePoolRelu for 2×2 windows at stride 2 (Conv-4's pools), every output row in groups of four, the
 * last group partial (outW below 4 included). A group reads eight elements of each row from column
 * 2·ox: past the row's end only within the plane's next row, except at the end of the last plane, which
 * takes the scalar scan.
 */
function affinePool2x2(
  x: usize, channel: usize, channels: i32, y: usize, planes: i32, inH: i32, inW: i32, outH: i32, outW: i32, part: i32, parts: i32,
): void {
  const plane = inH * inW;
  for (let p = partStart(planes, part, parts), end = partStart(planes, part + 1, parts); p < end; p++) {
    const c = p % channels;
    Affine.load(channel, channels, c);
    const sc = load<f32>(at(channel, 2 * channels + c));
    const monotone = isFinite(load<f32>(at(channel, c))) && isFinite(load<f32>(at(channel, channels + c))) &&
      isFinite(load<f32>(at(channel, 3 * channels + c))) && isFinite(sc) && sc != 0;
    const xPlane = at(x, p * plane);
    const lastPlane = p == planes - 1;
    for (let oy = 0; oy < outH; oy++) {
      const yRow = at(y, (p * outH + oy) * outW), rowStart = 2 * oy * inW;
      for (let ox = 0; ox < outW; ox += 4) {
        if (lastPlane && rowStart + inW + 2 * ox + 8 > plane) {
          for (let o = ox; o < outW; o++) poolOne(true, xPlane, yRow, 0, oy, o, inW, 2, 2, 2, 2);
          break;
        }
        const r0 = at(xPlane, rowStart + 2 * ox);
        const v = !monotone ? affinePair4(r0, inW) : sc > 0 ? monotonePair4(r0, inW, true) : monotonePair4(r0, inW, false);
        storeLanes(at(yRow, ox), v, min(4, outW - ox));
      }
    }
  }
}

/**
 * y [planes, outH, outW] = relu(max pool of ((x + a) − m)·s + b), with a, m, s, b the rows of `channel`
 * [4, channels] taken at plane % channels; part `part` of `parts`.
 */
export function affinePoolRelu(
  x: usize, channel: usize, y: usize, planes: i32, channels: i32, inH: i32, inW: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, part: i32, parts: i32,
): i32 {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2) affinePool2x2(x, channel, channels, y, planes, inH, inW, outH, outW, part, parts);
  else if (sw == 2) poolPlanes(true, 2, x, channel, channels, y, 0, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  else if (sw == 1) poolPlanes(true, 1, x, channel, channels, y, 0, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  else poolPlanes(true, 0, x, channel, channels, y, 0, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  return STATUS_OK;
}
