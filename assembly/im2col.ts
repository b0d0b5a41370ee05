// im2col and its adjoint col2im for one image of one group: the convolution's input patches laid out as a
// matrix col[(c·kh + ky)·kw + kx][j] for output pixels p = p0 + j (j < p1 − p0), zero where the window
// reads padding. Each (c, ky, kx) row is built from runs along output rows: a zero prefix, a (strided)
// copy of the input row, a zero suffix.
import { ConvShape as s } from "./conv-shape";

@inline function at(base: usize, element: i32): usize { return base + (<usize>element << 2); }

@inline function floorDiv(a: i32, b: i32): i32 { return a >= 0 ? a / b : -((-a + b - 1) / b); }

function zeros(dst: usize, n: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), z);
  for (; i < n; i++) store<f32>(at(dst, i), 0);
}

function copyRun(dst: usize, src: usize, n: i32, stride: i32): void {
  let i = 0;
  if (stride == 1) {
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
    for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i)));
  } else {
    for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i * stride)));
  }
}

function addRun(dst: usize, src: usize, n: i32, stride: i32): void {
  for (let i = 0; i < n; i++) {
    const q = at(dst, i * stride);
    store<f32>(q, load<f32>(q) + load<f32>(at(src, i)));
  }
}

/**
 * Walks the runs of one col row (input channel plane `x`, kernel offset ky, kx) for pixels [p0, p1).
 * toCol: col[j] = x[...] (zeros in the padding); else x[...] += col[j] (col2im).
 */
@inline function walkRow(toCol: bool, x: usize, row: usize, ky: i32, kx: i32, p0: i32, p1: i32): void {
  // Output columns whose input column ox·sw − pw + kx lies in [0, inW).
  const oxLo = max(0, floorDiv(s.padW - kx + s.strideW - 1, s.strideW));
  const oxHi = min(s.outW, floorDiv(s.inW - 1 + s.padW - kx, s.strideW) + 1);
  let p = p0;
  while (p < p1) {
    const oy = p / s.outW;
    const ox0 = p - oy * s.outW;
    const ox1 = min(s.outW, ox0 + (p1 - p));
    const run = at(row, p - p0);
    const iy = oy * s.strideH - s.padH + ky;
    if (iy < 0 || iy >= s.inH) {
      if (toCol) zeros(run, ox1 - ox0);
    } else {
      const lo = min(max(oxLo, ox0), ox1), hi = max(min(oxHi, ox1), lo);
      const src = at(x, iy * s.inW + lo * s.strideW - s.padW + kx);
      if (toCol) {
        zeros(run, lo - ox0);
        copyRun(at(run, lo - ox0), src, hi - lo, s.strideW);
        zeros(at(run, hi - ox0), ox1 - hi);
      } else addRun(src, at(run, lo - ox0), hi - lo, s.strideW);
    }
    p += ox1 - ox0;
  }
}

/** col (row stride ldc elements) ← patches of `x` (this image's first channel of the group). */
export function im2col(x: usize, col: usize, ldc: i32, p0: i32, p1: i32): void {
  const plane = s.inH * s.inW;
  let r = 0;
  for (let c = 0; c < s.inC / s.groups; c++) {
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++) {
        walkRow(true, at(x, c * plane), at(col, r * ldc), ky, kx, p0, p1);
        r++;
      }
    }
  }
}

/** x (this image's first channel of the group) += the adjoint of im2col applied to col. */
export function col2im(col: usize, ldc: i32, x: usize, p0: i32, p1: i32): void {
  const plane = s.inH * s.inW;
  let r = 0;
  for (let c = 0; c < s.inC / s.groups; c++) {
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++) {
        walkRow(false, at(x, c * plane), at(col, r * ldc), ky, kx, p0, p1);
        r++;
      }
    }
  }
}
