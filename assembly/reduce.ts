// Reductions of x viewed as [outer, reduce, inner] to out [outer, inner].
// float32 sums accumulate in f64 (as the reference does) in a fixed order, so the result depends on the
// inputs alone. max/min keep the first extreme in scan order (f32x4.pmax/pmin are exactly `v > acc ? v :
// acc`), and a NaN anywhere makes the result NaN. argmax returns the first maximum, or the first NaN.
// A call runs as part `part` of `parts` (parts.ts): each output is reduced whole, in the same order, by
// exactly one part, so results do not depend on the thread count.
import { at } from "./address";
import { R_ARGMAX, R_MAX, R_MIN, R_SUM } from "./generated/ops";
import { promoteHigh } from "./lanes";
import { Block, partStart } from "./parts";
import { STATUS_OK } from "./status";

/** Σ of n contiguous float32 values, in f64: eight partial sums, combined in a fixed order. */
function sumContiguous(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(at(x, i)), b = v128.load(at(x, i), 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(a));
    s1 = f64x2.add(s1, promoteHigh(a));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(b));
    s3 = f64x2.add(s3, promoteHigh(b));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) total += <f64>load<f32>(at(x, i));
  return total;
}

/** Column sums of a [reduce, inner] block (row stride `inner`) for `width` columns from `x`, in f64. */
function sumColumns(x: usize, out: usize, reduce: i32, inner: i32, width: i32): void {
  let c = 0;
  for (; c + 8 <= width; c += 8) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    let p = at(x, c);
    for (let r = 0; r < reduce; r++) {
      const a = v128.load(p), b = v128.load(p, 16);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(a));
      s1 = f64x2.add(s1, promoteHigh(a));
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(b));
      s3 = f64x2.add(s3, promoteHigh(b));
      p += <usize>inner << 2;
    }
    v128.store(at(out, c), i32x4.shuffle(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5));
    v128.store(at(out, c), i32x4.shuffle(f32x4.demote_f64x2_zero(s2), f32x4.demote_f64x2_zero(s3), 0, 1, 4, 5), 16);
  }
  for (; c < width; c++) {
    let s: f64 = 0;
    let p = at(x, c);
    for (let r = 0; r < reduce; r++) {
      s += <f64>load<f32>(p);
      p += <usize>inner << 2;
    }
    store<f32>(at(out, c), <f32>s);
  }
}

@inline function extremeX4(isMax: bool, acc: v128, v: v128): v128 {
  return isMax ? f32x4.pmax(acc, v) : f32x4.pmin(acc, v);
}

@inline function better(isMax: bool, v: f32, acc: f32): bool { return isMax ? v > acc : v < acc; }

/** max or min of n contiguous float32 values, as the reference's scan computes it. */
function extremeContiguous(isMax: bool, x: usize, n: i32): f32 {
  const init: f32 = isMax ? -Infinity : Infinity;
  let acc = f32x4.splat(init);
  let nan = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    acc = extremeX4(isMax, acc, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  let best = init;
  for (let l = 0; l < 4; l++) {
    const v = f32x4.extract_lane(acc, 0);
    if (better(isMax, v, best)) best = v;
    acc = i32x4.shuffle(acc, acc, 1, 2, 3, 0);
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    if (v != v) return v;
    if (better(isMax, v, best)) best = v;
  }
  if (v128.any_true(nan)) {
    for (let j = 0; ; j++) {
      const v = load<f32>(at(x, j));
      if (v != v) return v;
    }
  }
  // Lanes may have met +0 and -0 in another order than the scan; the scan keeps the first zero.
  if (best == 0) {
    for (let j = 0; j < n; j++) {
      const v = load<f32>(at(x, j));
      if (v == 0) return v;
    }
  }
  return best;
}

/** Column max/min of a [reduce, inner] block for `width` columns; a NaN in a column wins it. */
function extremeColumns(isMax: bool, x: usize, out: usize, reduce: i32, inner: i32, width: i32): void {
  const init: f32 = isMax ? -Infinity : Infinity;
  let c = 0;
  for (; c + 4 <= width; c += 4) {
    let acc = f32x4.splat(init);
    let nan = i32x4.splat(0);
    let p = at(x, c);
    for (let r = 0; r < reduce; r++) {
      const v = v128.load(p);
      acc = extremeX4(isMax, acc, v);
      nan = v128.or(nan, f32x4.ne(v, v));
      p += <usize>inner << 2;
    }
    v128.store(at(out, c), v128.bitselect(f32x4.splat(NaN), acc, nan));
  }
  for (; c < width; c++) {
    let acc = init;
    let p = at(x, c);
    for (let r = 0; r < reduce; r++) {
      const v = load<f32>(p);
      if (v != v) { acc = v; break; }
      if (better(isMax, v, acc)) acc = v;
      p += <usize>inner << 2;
    }
    store<f32>(at(out, c), acc);
  }
}

/** The reference's scan for one output, on int32 or float32 values: sum, max, min or argmax. */
@inline function scanOne(op: i32, isInt: bool, x: usize, reduce: i32, inner: i32): u32 {
  if (isInt) {
    let sum: i64 = 0;
    let acc: i32 = op == R_MIN ? i32.MAX_VALUE : i32.MIN_VALUE;
    let arg = 0;
    for (let r = 0; r < reduce; r++) {
      const v = load<i32>(at(x, r * inner));
      if (op == R_SUM) sum += v;
      else if (op == R_MIN ? v < acc : v > acc) { acc = v; arg = r; }
    }
    // An empty max/min is ∓Infinity in the reference, which an int32 store turns into 0.
    if (reduce == 0) acc = 0;
    return op == R_SUM ? <u32><i32>sum : op == R_ARGMAX ? <u32>arg : <u32>acc;
  }
  let acc: f32 = op == R_MIN ? Infinity : -Infinity;
  let arg = 0;
  for (let r = 0; r < reduce; r++) {
    const v = load<f32>(at(x, r * inner));
    if (v != v) {
      if (acc == acc) { acc = v; arg = r; }
    } else if (acc == acc && (op == R_MIN ? v < acc : v > acc)) {
      acc = v;
      arg = r;
    }
  }
  return op == R_ARGMAX ? <u32>arg : reinterpret<u32>(acc);
}

/** The outputs [first, end) of the flat [outer, inner] output, each by the reference's scan. */
@inline function scanAll(op: i32, isInt: bool, x: usize, out: usize, reduce: i32, inner: i32, first: i32, end: i32): void {
  for (let j = first; j < end; j++) {
    const o = j / inner, i = j % inner;
    store<u32>(at(out, j), scanOne(op, isInt, at(x, o * reduce * inner + i), reduce, inner));
  }
}

/**
 * out[o, i] = op over r of x[o, r, i] (op: an R_ code; argmax writes int32); isInt for int32 x.
 * Part `part` of `parts`: the work items are outputs (scans), or (o, block of columns) for float32 sums
 * and extremes, whose column blocks are split only when there are fewer `outer` rows than parts.
 */
export function reduce(op: i32, isInt: i32, x: usize, out: usize, outer: i32, reduce: i32, inner: i32, part: i32, parts: i32): i32 {
  if (isInt || op == R_ARGMAX) {
    const outputs = outer * inner;
    const first = partStart(outputs, part, parts), end = partStart(outputs, part + 1, parts);
    if (isInt) {
      if (op == R_SUM) scanAll(R_SUM, true, x, out, reduce, inner, first, end);
      else if (op == R_MAX) scanAll(R_MAX, true, x, out, reduce, inner, first, end);
      else if (op == R_MIN) scanAll(R_MIN, true, x, out, reduce, inner, first, end);
      else scanAll(R_ARGMAX, true, x, out, reduce, inner, first, end);
    } else scanAll(R_ARGMAX, false, x, out, reduce, inner, first, end);
    return STATUS_OK;
  }
  const block = reduce * inner;
  // Column blocks are multiples of 8 wide: sumColumns' vector groups, so each column sums as in one call.
  const blocks = inner > 1 && outer < parts ? parts : 1;
  const items = outer * blocks;
  for (let item = partStart(items, part, parts), end = partStart(items, part + 1, parts); item < end; item++) {
    const o = item / blocks;
    const xo = at(x, o * block);
    if (inner == 1) {
      const v: f32 = op == R_SUM ? <f32>sumContiguous(xo, reduce) : extremeContiguous(op == R_MAX, xo, reduce);
      store<f32>(at(out, o), v);
      continue;
    }
    Block.of(inner, item % blocks, blocks, 8);
    const c0 = Block.start, width = Block.end - Block.start;
    if (width == 0) continue;
    if (op == R_SUM) sumColumns(at(xo, c0), at(out, o * inner + c0), reduce, inner, width);
    else extremeColumns(op == R_MAX, at(xo, c0), at(out, o * inner + c0), reduce, inner, width);
  }
  return STATUS_OK;
}
