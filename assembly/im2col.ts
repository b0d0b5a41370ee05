// im2col and its adjoint col2im for images of one group: the convolution's input patches as a matrix
// col[r = (c·kh + ky)·kw + kx][j] over output pixels j, zero where the window reads padding. Each row is
// built from runs along output rows: a zero prefix, a (strided) copy of the input row, a zero suffix.
// im2col writes either a plain matrix (row stride ldc) or, for the forward GEMM, the packed-B layout
// directly (NR-column panels of [row][NR]), which saves a pass over the patches.
import { at } from "./address";
import { ConvShape as s } from "./conv-shape";
import { NR } from "./gemm-pack";
import { scratch } from "./scratch";

@inline function floorDiv(a: i32, b: i32): i32 { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/** col[j .. j+n) of one row = 0. */
@inline function zeroRun(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.splat(0));
  for (; i < n; i++) store<f32>(at(dst, i), 0);
}

/** col[j .. j+n) of one row = src[0], src[stride], ... (four lanes at a time when stride is 1). */
@inline export function copyRun(dst: usize, n: i32, src: usize, stride: i32): void {
  let i = 0;
  if (stride == 1) for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i * stride)));
}

/** x[0], x[stride], ... += col[j .. j+n) (plain layout). */
function addRun(dst: usize, src: usize, n: i32, stride: i32): void {
  for (let i = 0; i < n; i++) {
    const q = at(dst, i * stride);
    store<f32>(q, load<f32>(q) + load<f32>(at(src, i)));
  }
}

/**
 * Walks the runs of one col row (input channel plane `x`, kernel offset ky, kx) for pixels [p0, p1) of
 * one image, columns from j0. toCol: col = x (zeros in the padding); else x += col (col2im, plain layout).
 */
@inline function walkRow(toCol: bool, x: usize, row: usize, j0: i32, ky: i32, kx: i32, p0: i32, p1: i32): void {
  // Output columns whose input column ox·sw − pw + kx lies in [0, inW).
  const oxLo = max(0, floorDiv(s.padW - kx + s.strideW - 1, s.strideW));
  const oxHi = min(s.outW, floorDiv(s.inW - 1 + s.padW - kx, s.strideW) + 1);
  let p = p0;
  while (p < p1) {
    const oy = p / s.outW;
    const ox0 = p - oy * s.outW;
    const ox1 = min(s.outW, ox0 + (p1 - p));
    const j = j0 + p - p0;
    const iy = oy * s.strideH - s.padH + ky;
    if (iy < 0 || iy >= s.inH) {
      if (toCol) zeroRun(at(row, j), ox1 - ox0);
    } else {
      const lo = min(max(oxLo, ox0), ox1), hi = max(min(oxHi, ox1), lo);
      const src = at(x, iy * s.inW + lo * s.strideW - s.padW + kx);
      if (toCol) {
        zeroRun(at(row, j), lo - ox0);
        copyRun(at(row, j + lo - ox0), hi - lo, src, s.strideW);
        zeroRun(at(row, j + hi - ox0), ox1 - hi);
      } else addRun(src, at(row, j + lo - ox0), hi - lo, s.strideW);
    }
    p += ox1 - ox0;
  }
}

@inline function walkImage(toCol: bool, x: usize, col: usize, ldc: i32, j0: i32, p0: i32, p1: i32): void {
  const plane = s.inH * s.inW;
  let r = 0;
  for (let c = 0; c < s.inC / s.groups; c++) {
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++) {
        walkRow(toCol, at(x, c * plane), at(col, r * ldc), j0, ky, kx, p0, p1);
        r++;
      }
    }
  }
}

/** col (plain, row stride ldc) columns j0.. ← patches of pixels [p0, p1) of `x` (an image's first channel of the group). */
export function im2col(x: usize, col: usize, ldc: i32, j0: i32, p0: i32, p1: i32): void {
  walkImage(true, x, col, ldc, j0, p0, p1);
}

/** x (an image's first channel of the group) += the adjoint of im2col applied to col columns j0.. (plain). */
export function col2im(col: usize, ldc: i32, j0: i32, x: usize, p0: i32, p1: i32): void {
  walkImage(false, x, col, ldc, j0, p0, p1);
}

// ---- straight into the packed-B layout, from a zero-padded copy of the images ----

/** Per lane of a panel (NR i32): the padded-input offset of its window origin; per-instance scratch. */
@inline function laneOffsets(): usize { return scratch() + 128; }
/** Lane masks selecting lanes [0, a) for a = 0..NR (two v128 each): constant data, shared by every instance. */
const PREFIX_MASKS = memory.data<i32>([
  0, 0, 0, 0, 0, 0, 0, 0,
  -1, 0, 0, 0, 0, 0, 0, 0,
  -1, -1, 0, 0, 0, 0, 0, 0,
  -1, -1, -1, 0, 0, 0, 0, 0,
  -1, -1, -1, -1, 0, 0, 0, 0,
  -1, -1, -1, -1, -1, 0, 0, 0,
  -1, -1, -1, -1, -1, -1, 0, 0,
  -1, -1, -1, -1, -1, -1, -1, 0,
  -1, -1, -1, -1, -1, -1, -1, -1,
], 16);

@inline function prefixMasks(): usize { return PREFIX_MASKS; }

/** Padded geometry of the chunk copy made by padImages. */
@inline function paddedWidth(): i32 { return s.inW + 2 * s.padW; }
@inline function paddedPlane(): i32 { return (s.inH + 2 * s.padH) * paddedWidth(); }

/**
 * Packs the patches of `cols` output pixels into the GEMM's packed-B layout (NR-column panels of
 * [row][NR], rows r = (c·kh + ky)·kw + kx). `xp` holds the chunk's images as padImages wrote them; column
 * j is pixel p0 + j of image 0 when images == 1, else pixel j % P of image j / P. With the padding
 * explicit, a kernel offset (ky, kx) shifts every lane by the same amount, so a panel is classified once:
 * its lanes form one or two contiguous runs of the padded input (two vector loads per run, blended), or
 * they are gathered lane by lane.
 */
export function im2colPacked(xp: usize, pb: usize, cols: i32, images: i32, p0: i32): void {
  const laneOffset = laneOffsets();
  const icg = s.inC / s.groups, p = s.outH * s.outW, khw = s.kh * s.kw;
  const wp = paddedWidth(), planeP = paddedPlane();
  const depth = icg * khw;
  const rowStep = <usize>(khw * NR) << 2;
  const planeBytes = <usize>planeP << 2;
  const masks = prefixMasks();
  for (let j0 = 0; j0 < cols; j0 += NR) {
    const panel = pb + (<usize>(j0 * depth) << 2);
    for (let l = 0; l < NR; l++) {
      // Lanes past the chunk repeat the last column (their results are never stored).
      const j = min(j0 + l, cols - 1);
      let n = 0, q = p0 + j;
      if (images != 1) { n = j / p; q = j - n * p; }
      const oy = q / s.outW, ox = q - oy * s.outW;
      store<i32>(at(laneOffset, l), n * icg * planeP + oy * s.strideH * wp + ox * s.strideW);
    }
    // Runs: lanes [0, a) continue lane 0, lanes [a, NR) continue lane a.
    const first = load<i32>(laneOffset);
    let a = 1;
    while (a < NR && load<i32>(at(laneOffset, a)) == first + a) a++;
    const second = a < NR ? load<i32>(at(laneOffset, a)) : first + a;
    let runs = true;
    for (let l = a + 1; l < NR; l++) runs = runs && load<i32>(at(laneOffset, l)) == second + l - a;
    const mask0 = v128.load(masks + (<usize>(a * NR) << 2)), mask1 = v128.load(masks + (<usize>(a * NR) << 2), 16);
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++) {
        const shift = ky * wp + kx;
        let dst = panel + (<usize>((ky * s.kw + kx) * NR) << 2);
        if (runs) {
          // Lane l of run two, loaded from its start shifted back by a, lands on lane l.
          let u = at(xp, first + shift), v = at(xp, second - a + shift);
          for (let c = 0; c < icg; c++) {
            v128.store(dst, v128.bitselect(v128.load(u), v128.load(v), mask0));
            v128.store(dst, v128.bitselect(v128.load(u, 16), v128.load(v, 16), mask1), 16);
            u += planeBytes;
            v += planeBytes;
            dst += rowStep;
          }
        } else {
          const o = at(xp, shift);
          const d0 = load<i32>(laneOffset), d1 = load<i32>(laneOffset, 4), d2 = load<i32>(laneOffset, 8), d3 = load<i32>(laneOffset, 12);
          const d4 = load<i32>(laneOffset, 16), d5 = load<i32>(laneOffset, 20), d6 = load<i32>(laneOffset, 24), d7 = load<i32>(laneOffset, 28);
          let q = o;
          for (let c = 0; c < icg; c++) {
            v128.store(dst, f32x4(load<f32>(at(q, d0)), load<f32>(at(q, d1)), load<f32>(at(q, d2)), load<f32>(at(q, d3))));
            v128.store(dst, f32x4(load<f32>(at(q, d4)), load<f32>(at(q, d5)), load<f32>(at(q, d6)), load<f32>(at(q, d7))), 16);
            q += planeBytes;
            dst += rowStep;
          }
        }
      }
    }
  }
}

// ---- transposed, for the backward-filter GEMM: B = patchesᵀ (depth = pixels, columns = patch rows) ----

/**
 * Copies the group's channels of images [n0, n0 + count) into `dst` with the padding made explicit:
 * [count][icg][inH + 2·padH][inW + 2·padW], zeros around. Every window then lies inside.
 */
export function padImages(x: usize, xGroup: i32, n0: i32, count: i32, dst: usize): void {
  const icg = s.inC / s.groups, plane = s.inH * s.inW;
  const wp = s.inW + 2 * s.padW, hp = s.inH + 2 * s.padH;
  memory.fill(dst, 0, <usize>(count * icg * hp * wp) << 2);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < icg; c++) {
      const src = at(x, (n0 + i) * s.inC * plane + xGroup + c * plane);
      const out = at(dst, ((i * icg + c) * hp + s.padH) * wp + s.padW);
      for (let y = 0; y < s.inH; y++) copyRun(at(out, y * wp), s.inW, at(src, y * s.inW), 1);
    }
  }
}

/**
 * Packs patchesᵀ of `cols` output pixels into the packed-B layout over the patch rows: NR-row panels of
 * [pixel][NR], rows past the patch matrix zero. `xp` holds the chunk's images as padImages wrote them
 * (column j is pixel p0 + j of image 0 when images == 1, else pixel j % P of image j / P); `info` is
 * scratch for `cols` words. Only patch rows [rowFrom, rowTo) are packed (rowFrom a multiple of NR), their
 * first panel at pb.
 */
export function im2colPackedT(xp: usize, pb: usize, cols: i32, images: i32, p0: i32, info: usize, rowFrom: i32, rowTo: i32): void {
  const laneOffset = laneOffsets();
  const icg = s.inC / s.groups, p = s.outH * s.outW, khw = s.kh * s.kw;
  const wp = s.inW + 2 * s.padW, planeP = (s.inH + 2 * s.padH) * wp;
  const rows = icg * khw;
  for (let j = 0; j < cols; j++) {
    let n = 0, q = p0 + j;
    if (images != 1) { n = j / p; q = j - n * p; }
    const oy = q / s.outW, ox = q - oy * s.outW;
    store<i32>(at(info, j), n * icg * planeP + oy * s.strideH * wp + ox * s.strideW);
  }
  const panelBytes = <usize>(cols * NR) << 2;
  for (let r0 = rowFrom; r0 < rowTo; r0 += NR) {
    // Each row's offset from the window origin; rows past the end read a zero written at info[cols].
    for (let l = 0; l < NR; l++) {
      const r = r0 + l;
      const c = r / khw, k = r - c * khw, ky = k / s.kw, kx = k - ky * s.kw;
      store<i32>(at(laneOffset, l), c * planeP + ky * wp + kx);
    }
    const d0 = load<i32>(laneOffset), d1 = load<i32>(laneOffset, 4), d2 = load<i32>(laneOffset, 8), d3 = load<i32>(laneOffset, 12);
    const d4 = load<i32>(laneOffset, 16), d5 = load<i32>(laneOffset, 20), d6 = load<i32>(laneOffset, 24), d7 = load<i32>(laneOffset, 28);
    let dst = pb + <usize>((r0 - rowFrom) / NR) * panelBytes;
    if (r0 + NR <= rows) {
      for (let j = 0; j < cols; j++) {
        const o = at(xp, load<i32>(at(info, j)));
        v128.store(dst, f32x4(load<f32>(at(o, d0)), load<f32>(at(o, d1)), load<f32>(at(o, d2)), load<f32>(at(o, d3))));
        v128.store(dst, f32x4(load<f32>(at(o, d4)), load<f32>(at(o, d5)), load<f32>(at(o, d6)), load<f32>(at(o, d7))), 16);
        dst += NR * 4;
      }
    } else {
      for (let j = 0; j < cols; j++) {
        const o = at(xp, load<i32>(at(info, j)));
        for (let l = 0; l < NR; l++) {
          store<f32>(dst + (<usize>l << 2), r0 + l < rows ? load<f32>(at(o, load<i32>(at(laneOffset, l)))) : 0);
        }
        dst += NR * 4;
      }
    }
  }
}
