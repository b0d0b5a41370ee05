// The GEMM micro-kernel: an MR×NR (4×8) tile of C held in eight f32x4 registers while it streams a packed
// A panel ([p][4], broadcast one value at a time) and a packed B panel ([p][8], two vectors) through
// `depth` steps. Each step is 8 multiply-adds on 6 loads. The sum over depth runs in order, so results
// depend only on the inputs and the build (relaxed builds fuse the multiply-add).
import { madd } from "./madd";
import { MR, NR } from "./gemm-pack";
import { scratch } from "./scratch";

/** Scratch for partial tiles (MR·NR floats): the kernel writes here and the caller copies the live part. */
@inline function tileScratch(): usize { return scratch(); }

@inline function storeRow(c: usize, lo: v128, hi: v128, accumulate: bool): void {
  if (accumulate) {
    v128.store(c, f32x4.add(v128.load(c), lo));
    v128.store(c, f32x4.add(v128.load(c, 16), hi), 16);
  } else {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  }
}

/** C[0..4)[0..8) (= or +=) A-panel · B-panel; ldc in bytes. */
@inline export function kernel4x8(depth: i32, a: usize, b: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < depth; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a += MR * 4;
    b += NR * 4;
  }
  storeRow(c, c00, c01, accumulate);
  storeRow(c + ldc, c10, c11, accumulate);
  storeRow(c + 2 * ldc, c20, c21, accumulate);
  storeRow(c + 3 * ldc, c30, c31, accumulate);
}

/** Copies the live rows × cols of the tile scratch into C (= or +=); ldc in bytes. */
export function storePartialTile(c: usize, ldc: usize, rows: i32, cols: i32, accumulate: bool): void {
  const tile = tileScratch();
  for (let r = 0; r < rows; r++) {
    const src = tile + (<usize>(r * NR) << 2), dst = c + <usize>r * ldc;
    for (let j = 0; j < cols; j++) {
      const q = dst + (<usize>j << 2);
      const v = load<f32>(src + (<usize>j << 2));
      store<f32>(q, accumulate ? load<f32>(q) + v : v);
    }
  }
}

/** One tile of C: the fast path writes C directly; a partial tile goes through the tile scratch. */
@inline export function tile(
  depth: i32, a: usize, b: usize, c: usize, ldc: usize, rows: i32, cols: i32, accumulate: bool,
): void {
  if (rows == MR && cols == NR) {
    if (accumulate) kernel4x8(depth, a, b, c, ldc, true);
    else kernel4x8(depth, a, b, c, ldc, false);
  } else {
    kernel4x8(depth, a, b, tileScratch(), NR * 4, false);
    storePartialTile(c, ldc, rows, cols, accumulate);
  }
}
