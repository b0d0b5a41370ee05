// Elementwise kernels from one template: a loop is written once and instantiated per op code (the code is
// a compile-time constant after inlining). Broadcasting: the host collapses the shape (drops 1-sized axes,
// merges axes that are contiguous for every operand) and passes, through PARAMS,
//   [rank, shape[rank], strides of operand 0 [rank], strides of operand 1 [rank], ...]
// Only the innermost axis is looped here; its strides pick a fast path: both 1 (same shape), one 0
// (a scalar or a broadcast row), or general strides.
// Each kernel runs as part `part` of `parts` (parts.ts): the work items are rows, or pieces of rows when
// there are fewer rows than parts; every element is computed as in a single-part call.
import { at } from "./address";
import {
  binaryIsVector, binaryScalar, binaryX4, isComparison, unaryF32x4, unaryF64, unaryI32x4, unaryIntIsVector,
  unaryIsVector,
} from "./elementwise-ops";
import { binaryFor, unaryFor } from "./generated/ops";
import { toInt32 } from "./int-convert";
import { param } from "./params";
import { Block, partStart } from "./parts";
import { scratch } from "./scratch";
import { STATUS_OK } from "./status";

/**
 * The walk's index over the outer axes (32 words, also the fused kernel's: fused.ts) and its per-operand
 * offsets (4 words): per instance.
 */
@inline export function walkIndex(): usize { return scratch() + 256; }
@inline function walkDeltas(): usize { return scratch() + 384; }

// ---- unary: contiguous ----

@inline export function unaryLoop(op: i32, isInt: bool, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (isInt ? unaryIntIsVector(op) : unaryIsVector(op)) {
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(x, i));
      v128.store(at(y, i), isInt ? unaryI32x4(op, v) : unaryF32x4(op, v));
    }
  }
  for (; i < n; i++) {
    if (isInt) store<i32>(at(y, i), toInt32(unaryF64(op, <f64>load<i32>(at(x, i)))));
    else store<f32>(at(y, i), <f32>unaryF64(op, <f64>load<f32>(at(x, i))));
  }
}

/** y[i] = op(x[i]) for n elements of float32 (isInt = 0) or int32; part `part` of `parts` of them. */
export function unary(op: i32, isInt: i32, x: usize, y: usize, n: i32, part: i32, parts: i32): i32 {
  Block.of(n, part, parts, 4);
  const i0 = Block.start, count = Block.end - Block.start;
  if (isInt) unaryFor(op, true, at(x, i0), at(y, i0), count);
  else unaryFor(op, false, at(x, i0), at(y, i0), count);
  return STATUS_OK;
}

// ---- the broadcast walk over all axes but the innermost ----

/** Number of rows (positions of every axis but the last) and the innermost length, from PARAMS. */
@inline function innerLength(rank: i32): i32 { return rank > 0 ? param(rank) : 1; }
@inline function rowCount(rank: i32): i32 {
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= param(1 + d);
  return rows;
}
@inline function strideOf(rank: i32, operand: i32, axis: i32): i32 { return param(1 + rank * (operand + 1) + axis); }

/** Advances the row index; returns the change of each operand's offset through `deltas`. */
function nextRow(rank: i32, operands: i32, deltas: usize): void {
  for (let k = 0; k < operands; k++) store<i32>(deltas + (<usize>k << 2), 0);
  for (let d = rank - 2; d >= 0; d--) {
    const idx = load<i32>(at(walkIndex(), d)) + 1;
    const size = param(1 + d);
    if (idx < size) {
      store<i32>(at(walkIndex(), d), idx);
      for (let k = 0; k < operands; k++) {
        const p = deltas + (<usize>k << 2);
        store<i32>(p, load<i32>(p) + strideOf(rank, k, d));
      }
      return;
    }
    store<i32>(at(walkIndex(), d), 0);
    for (let k = 0; k < operands; k++) {
      const p = deltas + (<usize>k << 2);
      store<i32>(p, load<i32>(p) - strideOf(rank, k, d) * (size - 1));
    }
  }
}

/** Sets the index to row `row` and writes each operand's offset at that row through `offsets`. */
export function seekRow(rank: i32, operands: i32, row: i32, offsets: usize): void {
  for (let k = 0; k < operands; k++) store<i32>(offsets + (<usize>k << 2), 0);
  for (let d = rank - 2; d >= 0; d--) {
    const size = param(1 + d), idx = row % size;
    row /= size;
    store<i32>(at(walkIndex(), d), idx);
    for (let k = 0; k < operands; k++) {
      const p = offsets + (<usize>k << 2);
      store<i32>(p, load<i32>(p) + idx * strideOf(rank, k, d));
    }
  }
}

/** Pieces each row is cut into: 1, or `parts` when there are fewer rows than parts. */
@inline function piecesPerRow(rows: i32, parts: i32): i32 { return rows >= parts ? 1 : parts; }

/**
 * The rows of this part's items, one at a time: Walk.row, the columns [Walk.c0, Walk.c1) of it, and each
 * operand's offset at the row in walkDeltas() (after start, then after each next).
 */
class Walk {
  static row: i32 = 0;
  static c0: i32 = 0;
  static c1: i32 = 0;
  static item: i32 = 0;
  static end: i32 = 0;
  static pieces: i32 = 1;
  static n: i32 = 0;

  /** Positions the walk at this part's first item; false when the part has none. */
  static start(rank: i32, operands: i32, part: i32, parts: i32): bool {
    const rows = rowCount(rank);
    Walk.n = innerLength(rank);
    Walk.pieces = piecesPerRow(rows, parts);
    const items = rows * Walk.pieces;
    Walk.item = partStart(items, part, parts);
    Walk.end = partStart(items, part + 1, parts);
    if (Walk.item >= Walk.end) return false;
    seekRow(rank, operands, Walk.item / Walk.pieces, walkDeltas());
    Walk.columns();
    return true;
  }

  /** The columns of the current row that this part's items cover. */
  static columns(): void {
    const pieces = Walk.pieces, row = Walk.item / pieces;
    const last = min(Walk.end, (row + 1) * pieces) - 1;
    Block.of(Walk.n, Walk.item % pieces, pieces, 4);
    Walk.c0 = Block.start;
    Block.of(Walk.n, last % pieces, pieces, 4);
    Walk.c1 = Block.end;
    Walk.row = row;
    Walk.item = last + 1;
  }

  /** Moves to the next row; false when the part is done. Offsets change by the values left in walkDeltas(). */
  static next(rank: i32, operands: i32): bool {
    if (Walk.item >= Walk.end) return false;
    nextRow(rank, operands, walkDeltas());
    Walk.columns();
    return true;
  }
}

// ---- binary ----

@inline function binaryRun(
  op: i32, isInt: bool, outInt: bool, a: usize, sa: i32, b: usize, sb: i32, y: usize, n: i32,
): void {
  let i = 0;
  if (binaryIsVector(op, isInt)) {
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) {
        v128.store(at(y, i), binaryX4(op, isInt, outInt, v128.load(at(a, i)), v128.load(at(b, i))));
      }
    } else if (sa == 1 && sb == 0) {
      const bv = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) v128.store(at(y, i), binaryX4(op, isInt, outInt, v128.load(at(a, i)), bv));
    } else if (sa == 0 && sb == 1) {
      const av = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) v128.store(at(y, i), binaryX4(op, isInt, outInt, av, v128.load(at(b, i))));
    }
  }
  for (; i < n; i++) {
    store<u32>(at(y, i), binaryScalar(op, isInt, outInt, load<u32>(at(a, i * sa)), load<u32>(at(b, i * sb))));
  }
}

@inline export function binaryWalk(op: i32, isInt: bool, outInt: bool, a: usize, b: usize, y: usize, part: i32, parts: i32): void {
  if (!isComparison(op) && outInt != isInt) return;
  const rank = param(0);
  const sa = rank > 0 ? strideOf(rank, 0, rank - 1) : 0;
  const sb = rank > 0 ? strideOf(rank, 1, rank - 1) : 0;
  if (!Walk.start(rank, 2, part, parts)) return;
  const deltas = walkDeltas();
  let oa = 0, ob = 0;
  do {
    oa += load<i32>(deltas);
    ob += load<i32>(deltas, 4);
    const c0 = Walk.c0;
    binaryRun(op, isInt, outInt, at(a, oa + c0 * sa), sa, at(b, ob + c0 * sb), sb, at(y, Walk.row * Walk.n + c0), Walk.c1 - c0);
  } while (Walk.next(rank, 2));
}

/**
 * y = op(a, b) with broadcasting (PARAMS: rank, shape, strides of a, strides of b). a and b are float32
 * (isInt = 0) or int32; y has their dtype, or for comparisons outInt says which. Part `part` of `parts`.
 */
export function binary(op: i32, isInt: i32, outInt: i32, a: usize, b: usize, y: usize, part: i32, parts: i32): i32 {
  if (isInt) {
    if (outInt) binaryFor(op, true, true, a, b, y, part, parts);
    else binaryFor(op, true, false, a, b, y, part, parts);
  } else {
    if (outInt) binaryFor(op, false, true, a, b, y, part, parts);
    else binaryFor(op, false, false, a, b, y, part, parts);
  }
  return STATUS_OK;
}

// ---- where ----

@inline function condMask(condInt: bool, c: v128): v128 {
  return condInt ? i32x4.ne(c, i32x4.splat(0)) : f32x4.ne(c, f32x4.splat(0));
}

@inline function condTrue(condInt: bool, bits: u32): bool {
  return condInt ? bits != 0 : reinterpret<f32>(bits) != 0;
}

@inline function whereWalk(condInt: bool, c: usize, a: usize, b: usize, y: usize, part: i32, parts: i32): void {
  const rank = param(0);
  const sc = rank > 0 ? strideOf(rank, 0, rank - 1) : 0;
  const sa = rank > 0 ? strideOf(rank, 1, rank - 1) : 0;
  const sb = rank > 0 ? strideOf(rank, 2, rank - 1) : 0;
  if (!Walk.start(rank, 3, part, parts)) return;
  const deltas = walkDeltas();
  let oc = 0, oa = 0, ob = 0;
  do {
    oc += load<i32>(deltas);
    oa += load<i32>(deltas, 4);
    ob += load<i32>(deltas, 8);
    const c0 = Walk.c0, n = Walk.c1 - c0;
    const cp = at(c, oc + c0 * sc), ap = at(a, oa + c0 * sa), bp = at(b, ob + c0 * sb), yp = at(y, Walk.row * Walk.n + c0);
    let i = 0;
    if (sc == 1 && sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) {
        const m = condMask(condInt, v128.load(at(cp, i)));
        v128.store(at(yp, i), v128.bitselect(v128.load(at(ap, i)), v128.load(at(bp, i)), m));
      }
    }
    for (; i < n; i++) {
      const t = condTrue(condInt, load<u32>(at(cp, i * sc)));
      store<u32>(at(yp, i), t ? load<u32>(at(ap, i * sa)) : load<u32>(at(bp, i * sb)));
    }
  } while (Walk.next(rank, 3));
}

/**
 * y = cond != 0 ? a : b with broadcasting (PARAMS strides in the order cond, a, b); 4-byte elements.
 * Part `part` of `parts`.
 */
export function where(condInt: i32, c: usize, a: usize, b: usize, y: usize, part: i32, parts: i32): i32 {
  if (condInt) whereWalk(true, c, a, b, y, part, parts);
  else whereWalk(false, c, a, b, y, part, parts);
  return STATUS_OK;
}
