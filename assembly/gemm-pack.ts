// Panel packing for the GEMM: copies a block of A (rows × depth) or B (depth × columns) into the order the
// micro-kernel streams it, zero-padding partial panels so the kernel always runs full tiles.
//   packed A: per MR-row panel, depth-major: [p][MR]
//   packed B: per NR-column panel, depth-major: [p][NR]
// Operands are strided matrices: element (r, c) at base + (r·rowStride + c·colStride)·4. The common
// layouts (row-major, transposed) take four-lane paths; anything else goes element by element.

export const MR: i32 = 4;
export const NR: i32 = 8;

/**
 * Set when a packing call with `check` met a NaN or ±Inf. The convolutions need to know (their padding
 * zeros times ±Inf would make NaNs the reference does not have) and learn it here at no extra pass.
 */
export class PackCheck {
  static nonFinite: bool = false;

  /** Notes whether n packed values from p are all finite (they are still in L1). */
  static scan(p: usize, n: i32): void {
    let bad = i32x4.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      bad = v128.or(bad, f32x4.ne(f32x4.sub(v, v), f32x4.splat(0)));
    }
    for (; i < n; i++) {
      const v = load<f32>(p + (<usize>i << 2));
      if (v - v != 0) PackCheck.nonFinite = true;
    }
    if (v128.any_true(bad)) PackCheck.nonFinite = true;
  }
}

@inline function elem(base: usize, r: i32, c: i32, rs: i32, cs: i32): usize {
  return base + ((<usize>(r * rs + c * cs)) << 2);
}

/** 4×4 transpose of rows r0..r3 (four lanes each) stored as four depth steps of `stride` bytes. */
@inline function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs rows [0, rows) × depth [0, depth) of A (already offset to the block) into MR-row panels; with
 * `check`, notes non-finite values in PackCheck.
 */
export function packA(dst: usize, a: usize, rs: i32, cs: i32, rows: i32, depth: i32, check: bool = false): void {
  for (let r0 = 0; r0 < rows; r0 += MR) {
    const live = min(MR, rows - r0);
    let p = 0;
    if (live == MR && cs == 1 && MR == 4) {
      // Row-major: four rows, four depth steps at a time, transposed in registers.
      const row0 = elem(a, r0, 0, rs, cs), step = <usize>rs << 2;
      for (; p + 4 <= depth; p += 4) {
        const q = row0 + (<usize>p << 2);
        transpose4Store(v128.load(q), v128.load(q + step), v128.load(q + 2 * step), v128.load(q + 3 * step), dst + (<usize>p << 4), 16);
      }
    } else if (live == MR && rs == 1) {
      // Transposed storage: the MR rows of one depth step are adjacent.
      for (; p < depth; p++) {
        const src = elem(a, r0, p, rs, cs), out = dst + (<usize>(p * MR) << 2);
        v128.store(out, v128.load(src));
        if (MR > 4) v128.store64_lane(out, v128.load64_zero(src, 16), 0, 16);
      }
    }
    for (; p < depth; p++) {
      const out = dst + (<usize>(p * MR) << 2);
      for (let r = 0; r < MR; r++) {
        store<f32>(out + (<usize>r << 2), r < live ? load<f32>(elem(a, r0 + r, p, rs, cs)) : 0);
      }
    }
    if (check) PackCheck.scan(dst, depth * MR);
    dst += <usize>(depth * MR) << 2;
  }
}

/** Packs depth [0, depth) × columns [0, cols) of B (already offset to the block) into NR-column panels. */
export function packB(dst: usize, b: usize, rs: i32, cs: i32, depth: i32, cols: i32): void {
  for (let c0 = 0; c0 < cols; c0 += NR) {
    const live = min(NR, cols - c0);
    let p = 0;
    if (live == NR && cs == 1) {
      // Row-major: each depth step's NR columns are adjacent.
      for (; p < depth; p++) {
        const src = elem(b, p, c0, rs, cs), out = dst + (<usize>(p * NR) << 2);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
      }
    } else if (live == NR && rs == 1) {
      // Transposed storage ([cols][depth]): columns are contiguous along depth; transpose 4×4 blocks.
      const col0 = elem(b, 0, c0, rs, cs), step = <usize>cs << 2;
      for (; p + 4 <= depth; p += 4) {
        const q = col0 + (<usize>p << 2), out = dst + (<usize>(p * NR) << 2);
        transpose4Store(v128.load(q), v128.load(q + step), v128.load(q + 2 * step), v128.load(q + 3 * step), out, NR * 4);
        const q4 = q + 4 * step;
        transpose4Store(v128.load(q4), v128.load(q4 + step), v128.load(q4 + 2 * step), v128.load(q4 + 3 * step), out + 16, NR * 4);
      }
    }
    for (; p < depth; p++) {
      const out = dst + (<usize>(p * NR) << 2);
      for (let c = 0; c < NR; c++) {
        store<f32>(out + (<usize>c << 2), c < live ? load<f32>(elem(b, p, c0 + c, rs, cs)) : 0);
      }
    }
    dst += <usize>(depth * NR) << 2;
  }
}
