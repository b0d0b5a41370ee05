// Float helpers shared by the elementwise, reduce and pool kernels. WGSL lets implementations assume that
// no NaN or Inf occurs (finite-math), so NaN tests look at the bits, and NaN/Inf constants are made at run
// time from private variables (a constant expression that is not finite is a shader-creation error).
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;

fn f32_nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn f32_inf() -> f32 { return bitcast<f32>(INF_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
/** x != 0, with NaN counting as non-zero (as `x !== 0` does in JavaScript). */
fn f32_nonzero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }

/** y = f(x), but x itself when x is NaN (SwiftShader's exp(NaN) is Inf, for one). */
fn keep_nan(x: f32, y: f32) -> f32 { return select(y, x, is_nan(x)); }

/** log and sqrt with their IEEE domain spelled out (SwiftShader's log(-x) is log(x)). */
fn log_js(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return select(f32_nan(), x, is_nan(x)); }
  if (x == 0.0) { return -f32_inf(); }
  return log(x);
}
fn sqrt_js(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return select(f32_nan(), x, is_nan(x)); }
  return sqrt(x);
}
// sin and cos in the Cephes manner rather than the built-ins, whose accuracy varies (SwiftShader: ~2e-4):
// reduce by multiples of pi/4 in three parts (exact for |x| < 8192), then a polynomial on [-pi/4, pi/4].
fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}
fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}
/** |x| = octant * pi/4 + r, with the octant rounded to even; returns (r, octant mod 8). */
fn reduce_pi4(ax: f32) -> vec2<f32> {
  var j = u32(ax * 1.2732395447351628);
  if ((j & 1u) != 0u) { j += 1u; }
  let y = f32(j);
  let r = ((ax - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  return vec2<f32>(r, f32(j & 7u));
}
fn sin_js(x: f32) -> f32 {
  if (is_nan(x) || is_inf(x)) { return f32_nan(); }
  let red = reduce_pi4(abs(x));
  var j = u32(red.y);
  var sign = select(1.0, -1.0, x < 0.0);
  if (j > 3u) { sign = -sign; j -= 4u; }
  let v = select(sin_poly(red.x), cos_poly(red.x), j == 2u);
  return sign * v;
}
fn cos_js(x: f32) -> f32 {
  if (is_nan(x) || is_inf(x)) { return f32_nan(); }
  let red = reduce_pi4(abs(x));
  var j = u32(red.y);
  var sign = 1.0;
  if (j > 3u) { sign = -sign; j -= 4u; }
  if (j > 1u) { sign = -sign; }
  let v = select(cos_poly(red.x), sin_poly(red.x), j == 2u);
  return sign * v;
}

/** IEEE maximum/minimum: NaN if either is NaN. */
fn max_nan(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a > b);
}
fn min_nan(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a < b);
}

/** An ordered comparison result: false whenever a NaN is involved. */
fn ordered(a: f32, b: f32) -> bool { return !(is_nan(a) || is_nan(b)); }

/** JavaScript's Math.pow: WGSL's pow is undefined for x < 0 and at many edge cases. */
fn pow_js(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return f32_nan(); }
  let ab = abs(a);
  let odd_int = !is_inf(b) && fract(b) == 0.0 && fract(b * 0.5) != 0.0;
  if (is_inf(b)) {
    if (ab == 1.0) { return f32_nan(); }
    return select(0.0, f32_inf(), (ab > 1.0) == (b > 0.0));
  }
  if (ab == 0.0 || is_inf(a)) {
    // 0^b and inf^b: 0 or inf, negative only for a negative base and an odd integer exponent.
    let big = (ab == 0.0) == (b < 0.0);
    let r = select(0.0, f32_inf(), big);
    let negative = (bitcast<u32>(a) >> 31u) != 0u;  // -0 counts as negative here
    return select(r, -r, negative && odd_int);
  }
  if (fract(b) == 0.0 && abs(b) <= 16777216.0) {
    // Integer exponents by repeated squaring: a few ulp, where exp2(b log2 a) loses |b log2 a| ulp
    // (1 - pow(0.999, t), Adam's bias correction, would keep almost nothing of it).
    var e = u32(abs(b));
    var base = a;
    var r = 1.0;
    loop {
      if ((e & 1u) != 0u) { r = r * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    return select(r, 1.0 / r, b < 0.0);
  }
  // Past 2^24 every float is an even integer: |a|^b for either sign of a.
  if (a < 0.0 && fract(b) != 0.0) { return f32_nan(); }
  if (b == 0.5) { return sqrt(a); }
  return exp2(b * log2(ab));
}

/** tanh without the Inf/Inf of the textbook formula for large |x|; a series near 0 keeps relative accuracy. */
fn tanh_js(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let ax = abs(x);
  var t: f32;
  if (ax < 0.005) {
    let x2 = ax * ax;
    t = ax * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0)));
  } else {
    let e = exp(-2.0 * ax);
    t = (1.0 - e) / (1.0 + e);
  }
  return select(t, -t, x < 0.0);
}

// log1p and expm1 near 0 by series (WGSL's log is only accurate to 2^-21 absolute on [0.5, 2], too coarse for
// small results); farther out log(1 + x) and exp(x) - 1 lose little.
fn log1p_js(x: f32) -> f32 {
  if (is_nan(x) || x < -1.0) { return select(f32_nan(), x, is_nan(x)); }
  if (x == -1.0) { return -f32_inf(); }
  if (is_inf(x)) { return x; }
  if (abs(x) < 0.25) {
    // 2 atanh(s), s = x / (2 + x), |s| < 1/7: five terms leave less than 1e-9.
    let s = x / (2.0 + x);
    let z = s * s;
    return 2.0 * s * (1.0 + z * (1.0 / 3.0 + z * (0.2 + z * (1.0 / 7.0 + z * (1.0 / 9.0)))));
  }
  return log(1.0 + x);
}
fn expm1_js(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x < -17.0) { return -1.0; }
  if (abs(x) < 0.25) {
    // Taylor to x^7: the rest is below 2e-9 relative.
    return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0 + x * (1.0 / 5040.0)))))));
  }
  let u = exp(x);
  // Past ln(FLT_MAX) some exp() give Inf and others garbage; either way the result overflows.
  if (is_inf(u) || x > 88.72284) { return f32_inf(); }
  return u - 1.0;
}
/** log(1 + e^x) as max(x, 0) + log1p(e^-|x|): no overflow, no cancellation. */
fn softplus_js(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  return max(x, 0.0) + log1p_js(exp(-abs(x)));
}
fn log_sigmoid_js(x: f32) -> f32 { return -softplus_js(-x); }

fn sigmoid_js(x: f32) -> f32 { return keep_nan(x, 1.0 / (1.0 + exp(-x))); }
fn relu_js(x: f32) -> f32 { return select(select(0.0, x, x > 0.0), x, is_nan(x)); }
fn step_js(x: f32) -> f32 { return select(select(0.0, 1.0, x > 0.0), x, is_nan(x)); }
fn sign_f32(x: f32) -> f32 { return select(select(x, -1.0, x < 0.0), 1.0, x > 0.0); }
fn sign_i32(x: i32) -> i32 { return select(select(x, -1, x < 0), 1, x > 0); }

/** JavaScript's ToInt32(Math.trunc(x)): NaN and Inf give 0, out-of-range values wrap modulo 2^32. */
fn f32_to_i32_wrap(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let exponent = i32((bits >> 23u) & 0xffu) - 127;
  if (exponent < 31) { return i32(trunc(x)); }
  if (exponent == 128) { return 0; }
  let shift = u32(exponent - 23);
  if (shift >= 32u) { return 0; }
  let magnitude = ((bits & 0x7fffffu) | 0x800000u) << shift;
  return bitcast<i32>(select(magnitude, 0u - magnitude, (bits >> 31u) != 0u));
}

/** Integer division as JavaScript's ToInt32(a / b): x / 0 is 0. */
fn div_i32(a: i32, b: i32) -> i32 { return select(a / b, 0, b == 0); }

/** ToInt32(Math.pow(a, b)) for int32: exact (wrapping) while the true power stays below 2^53. */
fn pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) != 0u) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}
