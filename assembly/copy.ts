// Data movement: strided copy (transpose, slice, concat, pad, broadcast), fill and dtype casts.
import { at } from "./address";
import { toInt32 } from "./int-convert";
import { param } from "./params";

const INDEX = memory.data(32 * 4, 16);

/** n words of `bits` from `dst`. */
function fillWords(dst: usize, bits: u32, n: i32): void {
  const v = i32x4.splat(bits);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    v128.store(at(dst, i), v);
    v128.store(at(dst, i), v, 16);
    v128.store(at(dst, i), v, 32);
    v128.store(at(dst, i), v, 48);
  }
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v);
  for (; i < n; i++) store<u32>(at(dst, i), bits);
}

/** out[i] = bits (a float32 or int32 pattern) for n elements. */
export function fill(out: usize, bits: u32, n: i32): void {
  fillWords(out, bits, n);
}

/**
 * Strided copy of 4-byte elements. PARAMS: [rank, shape[rank], srcStrides[rank], dstStrides[rank]]
 * (collapsed by the host, strides in elements, possibly negative); offsets in elements.
 */
export function copy(src: usize, dst: usize, srcOffset: i32, dstOffset: i32): void {
  const rank = param(0);
  if (rank == 0) {
    store<u32>(at(dst, dstOffset), load<u32>(at(src, srcOffset)));
    return;
  }
  const n = param(rank);
  const ss = param(1 + rank + rank - 1);
  const ds = param(1 + 2 * rank + rank - 1);
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) {
    rows *= param(1 + d);
    store<i32>(at(INDEX, d), 0);
  }
  let so = srcOffset, dOff = dstOffset;
  for (let r = 0; r < rows; r++) {
    const sp = at(src, so), dp = at(dst, dOff);
    if (ss == 1 && ds == 1) memory.copy(dp, sp, <usize>n << 2);
    else if (ss == 0 && ds == 1) fillWords(dp, load<u32>(sp), n);
    else {
      for (let i = 0; i < n; i++) store<u32>(at(dp, i * ds), load<u32>(at(sp, i * ss)));
    }
    // Next row: advance the index of every axis but the last, carrying into outer axes.
    for (let d = rank - 2; d >= 0; d--) {
      const size = param(1 + d);
      const idx = load<i32>(at(INDEX, d)) + 1;
      const sd = param(1 + rank + d), dd = param(1 + 2 * rank + d);
      if (idx < size) {
        store<i32>(at(INDEX, d), idx);
        so += sd;
        dOff += dd;
        break;
      }
      store<i32>(at(INDEX, d), 0);
      so -= sd * (size - 1);
      dOff -= dd * (size - 1);
    }
  }
}

/** float32 → int32 like an Int32Array store: truncation toward zero, wrapping modulo 2^32, NaN → 0. */
export function castFloatToInt(x: usize, y: usize, n: i32): void {
  const limit = f32x4.splat(2147483648.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    // Lanes outside (-2^31, 2^31) (and ±Inf) need the wrapping rule; NaN saturates to 0 as wanted.
    if (v128.any_true(f32x4.ge(f32x4.abs(v), limit))) {
      for (let l = 0; l < 4; l++) store<i32>(at(y, i + l), toInt32(<f64>load<f32>(at(x, i + l))));
    } else v128.store(at(y, i), i32x4.trunc_sat_f32x4_s(v));
  }
  for (; i < n; i++) store<i32>(at(y, i), toInt32(<f64>load<f32>(at(x, i))));
}

/** int32 → float32, rounding to nearest. */
export function castIntToFloat(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), f32x4.convert_i32x4_s(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), <f32>load<i32>(at(x, i)));
}
