// Max pooling over NCHW planes (no padding, floor), with the flat index (row·inW + col) of the chosen
// element. The scan is the reference's: row-major over the window, the first maximum wins, and a NaN wins
// over everything (the first NaN). Four outputs of a row are computed at once where the stride is 1 or 2.
// A call runs as part `part` of `parts` (parts.ts): a contiguous range of planes each.
import { at } from "./address";
import { partStart } from "./parts";
import { STATUS_OK } from "./status";

/** Four window elements `stride` apart from p (stride 1 or 2). */
@inline function loadStrided(p: usize, stride: i32): v128 {
  if (stride == 1) return v128.load(p);
  return i32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

@inline function poolRowX4(
  stride: i32, xPlane: usize, yRow: usize, iRow: usize, oy: i32, ox: i32, inW: i32, kh: i32, kw: i32, sh: i32,
): void {
  const lanes = i32x4(0, stride, 2 * stride, 3 * stride);
  let best = f32x4.splat(-Infinity);
  let arg = i32x4.add(i32x4.splat(oy * sh * inW + ox * stride), lanes);
  for (let ky = 0; ky < kh; ky++) {
    const rowFlat = (oy * sh + ky) * inW + ox * stride;
    for (let kx = 0; kx < kw; kx++) {
      const flat = rowFlat + kx;
      const v = loadStrided(at(xPlane, flat), stride);
      const take = v128.and(f32x4.eq(best, best), v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
      best = v128.bitselect(v, best, take);
      arg = v128.bitselect(i32x4.add(i32x4.splat(flat), lanes), arg, take);
    }
  }
  v128.store(at(yRow, ox), best);
  v128.store(at(iRow, ox), arg);
}

@inline function poolOne(
  xPlane: usize, yRow: usize, iRow: usize, oy: i32, ox: i32, inW: i32, kh: i32, kw: i32, sh: i32, sw: i32,
): void {
  let best: f32 = -Infinity;
  let arg = oy * sh * inW + ox * sw;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const flat = (oy * sh + ky) * inW + ox * sw + kx;
      const v = load<f32>(at(xPlane, flat));
      if (best == best && (v > best || v != v)) {
        best = v;
        arg = flat;
      }
    }
  }
  store<f32>(at(yRow, ox), best);
  store<i32>(at(iRow, ox), arg);
}

@inline function poolPlanes(
  vectorStride: i32, x: usize, y: usize, indices: usize, planes: i32, inH: i32, inW: i32, outH: i32,
  outW: i32, kh: i32, kw: i32, sh: i32, sw: i32, part: i32, parts: i32,
): void {
  const plane = inH * inW;
  for (let p = partStart(planes, part, parts), end = partStart(planes, part + 1, parts); p < end; p++) {
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
          poolRowX4(vectorStride, xPlane, yRow, iRow, oy, ox, inW, kh, kw, sh);
        }
        // A ragged end: recompute the last four outputs of the row (same values) instead of one by one.
        const last = outW - 4;
        if (ox < outW && last >= 0 && !(lastPlane && rowEnd + last * sw + kw - 1 + 8 > plane)) {
          poolRowX4(vectorStride, xPlane, yRow, iRow, oy, last, inW, kh, kw, sh);
          ox = outW;
        }
      }
      for (; ox < outW; ox++) poolOne(xPlane, yRow, iRow, oy, ox, inW, kh, kw, sh, sw);
    }
  }
}

/** y, indices [planes, outH, outW] = max pool of x [planes, inH, inW]; part `part` of `parts`. */
export function maxPool2d(
  x: usize, y: usize, indices: usize, planes: i32, inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, part: i32, parts: i32,
): i32 {
  if (sw == 2) poolPlanes(2, x, y, indices, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  else if (sw == 1) poolPlanes(1, x, y, indices, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  else poolPlanes(0, x, y, indices, planes, inH, inW, outH, outW, kh, kw, sh, sw, part, parts);
  return STATUS_OK;
}
