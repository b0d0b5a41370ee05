// JavaScript's ToInt32 (what storing a number into an Int32Array does): truncate toward zero, then wrap
// modulo 2^32; NaN and ±Inf give 0. Kernels that compute an int32 result in f64 finish with it, so int32
// results match the reference backend exactly.
@inline export function toInt32(x: f64): i32 {
  if (!isFinite(x)) return 0;
  const ax = abs(x);
  if (ax < 9.2e18) return <i32><i64>x;
  // |x| ≥ 2^63: an integer m·2^e with e ≥ 11; its low 32 bits.
  const bits = reinterpret<u64>(x);
  const e = <i32>((bits >> 52) & 0x7ff) - 1075;
  if (e >= 32) return 0;
  const m = (bits & 0xfffffffffffff) | 0x10000000000000;
  const low = <i32>(m << e);
  return x < 0 ? -low : low;
}
