// Fused elementwise programs (float32): a chain of unary/binary/where steps evaluated in ONE pass over the
// output, block by block, instead of one pass (and one full-size temporary) per step. Each step runs the
// same four-lane and scalar code as the unfused kernels (elementwise-ops.ts) on a block of BLOCK contiguous
// elements held in a scratch slot that stays in L1, so every value is rounded to f32 exactly as the unfused
// ops store it and the result is bit-identical to running the steps one by one.
//
// The host writes the broadcast layout to PARAMS (as for `binary`: [rank, shape, strides of input 0, ...],
// innermost axis last) and the program to PROGRAM:
//   [inputs, steps, input pointers [MAX_INPUTS], then per step STEP_WORDS words: code, x, y, z, slot]
// code = kind·32 + op (kinds below); x, y, z are value numbers (inputs 0..inputs−1, then the steps); a
// constant carries its f32 bits in x. `slot` is the scratch slot the step writes (the host reuses slots of
// values no longer needed); the last step writes to the output instead. Inputs staged for a block use slot
// MAX_SLOTS − 1 − input, and `where` three slots below those.
import { at } from "./address";
import { seekRow, walkIndex } from "./elementwise";
import { binaryIsVector, binaryScalar, binaryX4, unaryF32x4, unaryF64, unaryIsVector } from "./elementwise-ops";
import { binaryScalarA, binaryScalarB, binaryVectors, unaryStep } from "./generated/ops";
import { param } from "./params";
import { Block, partStart } from "./parts";
import { FUSED_BYTES, FUSED_OFFSET, scratch } from "./scratch";
import { STATUS_OK } from "./status";

const K_CONST = 0;
const K_UNARY = 1;
const K_BINARY = 2;
const K_WHERE = 3;

export const MAX_INPUTS: i32 = 6;
export const MAX_STEPS: i32 = 96;
const STEP_WORDS: i32 = 5;
const HEADER_WORDS: i32 = 2 + MAX_INPUTS;
/** Elements per block: a slot is 1 KiB, so the few slots alive at once stay in L1. */
const BLOCK: i32 = 256;
const MAX_SLOTS: i32 = 64;

/** The program: written by the host before a call, read by every part. */
export const PROGRAM = memory.data((HEADER_WORDS + MAX_STEPS * STEP_WORDS) * 4, 16);

// Each instance's own state (scratch.ts), since a call runs in parts on several threads: the block slots,
// then the current block pointer of every value (inputs, then steps), the walk's per-input offsets, each
// input's mode and which values are scalars in the current block. The walk's index over the outer axes is
// the unfused kernels' (elementwise.ts: walkIndex, seekRow).
const SLOTS_BYTES: i32 = MAX_SLOTS * BLOCK * 4;
const VALUES_AT: i32 = SLOTS_BYTES;
const OFFSETS_AT: i32 = VALUES_AT + 512;
const MODES_AT: i32 = OFFSETS_AT + 32;
const SCALAR_AT: i32 = MODES_AT + 16;
const STATE_BYTES: i32 = SCALAR_AT + MAX_INPUTS + MAX_STEPS;
// The state must fit the block scratch.ts sets aside (a constant test, folded away when it holds).
if (STATE_BYTES > FUSED_BYTES) unreachable();
@inline function state(): usize { return scratch() + FUSED_OFFSET; }
@inline function slots(): usize { return state(); }
@inline function valueTable(): usize { return state() + VALUES_AT; }
@inline function inputOffsets(): usize { return state() + OFFSETS_AT; }
@inline function modes(): usize { return state() + MODES_AT; }
@inline function scalarFlags(): usize { return state() + SCALAR_AT; }

@inline function word(i: i32): i32 { return load<i32>(PROGRAM + (<usize>i << 2)); }
@inline function stepWord(k: i32, w: i32): i32 { return word(HEADER_WORDS + k * STEP_WORDS + w); }
@inline function slotAt(slot: i32): usize { return slots() + (<usize>(slot * BLOCK) << 2); }
@inline function valueAt(v: i32): usize { return load<usize>(valueTable() + (<usize>v << 2)); }
@inline function setValue(v: i32, p: usize): void { store<usize>(valueTable() + (<usize>v << 2), p); }

// ---- one step on a block of n contiguous elements ----

@inline export function unaryBlock(op: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (unaryIsVector(op)) {
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), unaryF32x4(op, v128.load(at(x, i))));
  }
  for (; i < n; i++) store<f32>(at(y, i), <f32>unaryF64(op, <f64>load<f32>(at(x, i))));
}

/**
 * y = a op b on a block; `shape` says which operand is one value for the whole block (1: a, 2: b), passed
 * as its bits in place of a pointer and splatted into a register, as the unfused kernel's broadcast path.
 */
@inline export function binaryBlock(op: i32, shape: i32, a: usize, b: usize, y: usize, n: i32): void {
  let i = 0;
  const av = i32x4.splat(<u32>a), bv = i32x4.splat(<u32>b);
  // An op without a four-lane form (pow) runs element by element, as unfused.
  if (binaryIsVector(op, false)) {
    for (; i + 4 <= n; i += 4) {
      const x = shape == 1 ? av : v128.load(at(a, i)), z = shape == 2 ? bv : v128.load(at(b, i));
      v128.store(at(y, i), binaryX4(op, false, false, x, z));
    }
  }
  for (; i < n; i++) {
    const x = shape == 1 ? <u32>a : load<u32>(at(a, i)), z = shape == 2 ? <u32>b : load<u32>(at(b, i));
    store<u32>(at(y, i), binaryScalar(op, false, false, x, z));
  }
}

function binaryStep(op: i32, shape: i32, a: usize, b: usize, y: usize, n: i32): void {
  if (shape == 1) binaryScalarA(op, a, b, y, n);
  else if (shape == 2) binaryScalarB(op, a, b, y, n);
  else binaryVectors(op, a, b, y, n);
}

/** y = c ≠ 0 ? a : b (NaN counts as non-zero, as in `where`). */
function whereStep(c: usize, a: usize, b: usize, y: usize, n: i32): void {
  let i = 0;
  const zero = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const m = f32x4.ne(v128.load(at(c, i)), zero);
    v128.store(at(y, i), v128.bitselect(v128.load(at(a, i)), v128.load(at(b, i)), m));
  }
  for (; i < n; i++) store<u32>(at(y, i), load<f32>(at(c, i)) != 0 ? load<u32>(at(a, i)) : load<u32>(at(b, i)));
}

function splat(dst: usize, bits: u32, n: i32): void {
  const v = i32x4.splat(bits);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v);
  for (; i < n; i++) store<u32>(at(dst, i), bits);
}

// ---- the walk ----
// A value is, for one block, either a vector (a pointer to BLOCK elements) or a scalar (one value for the
// whole block: a constant, an input broadcast along the innermost axis, or a step on scalars only, which
// is computed once per block with the unfused kernels' scalar code). Blocks are runs of consecutive output
// elements: within a row when some input is constant along long rows, else spanning rows (short rows would
// make short blocks; such an input is then staged like any other). An input in the output's layout is read in place; any other vector input is staged into
// its slot, row segment by row segment.

const IN_PLACE: u8 = 0;
const CONSTANT: u8 = 1;
const STAGED: u8 = 2;
const ROW_SCALAR: u8 = 3;
/** Rows at least this long keep blocks within rows, so that inputs constant along them are scalars. */
const MIN_SCALAR_ROW: i32 = 64;
/** Slots where `where` spreads scalar operands. */
const WHERE_SLOTS: i32 = MAX_SLOTS - MAX_INPUTS - 3;

@inline function strideOf(rank: i32, input: i32, axis: i32): i32 { return param(1 + rank * (input + 1) + axis); }
@inline function offsetOf(j: i32): i32 { return load<i32>(inputOffsets() + (<usize>j << 2)); }
@inline function stagedSlot(j: i32): usize { return slotAt(MAX_SLOTS - 1 - j); }
@inline function isScalar(v: i32): bool { return load<u8>(scalarFlags() + v) != 0; }
@inline function setVector(v: i32, p: usize): void { store<u8>(scalarFlags() + v, 0); setValue(v, p); }
@inline function setScalar(v: i32, bits: u32): void { store<u8>(scalarFlags() + v, 1); setValue(v, <usize>bits); }

/** How each input is read; returns whether some input is one value per row (blocks then stay in rows). */
function classifyInputs(inputs: i32, rank: i32, rowLength: i32): bool {
  let rowScalars = false;
  for (let j = 0; j < inputs; j++) {
    let inPlace = true, constant = true, expected = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const s = strideOf(rank, j, d);
      if (s != expected) inPlace = false;
      if (s != 0) constant = false;
      expected *= param(1 + d);
    }
    const inner = rank > 0 ? strideOf(rank, j, rank - 1) : 0;
    // One value per row pays when rows are long; short rows are better spanned by blocks (staged).
    const mode = inPlace ? IN_PLACE : constant ? CONSTANT : inner == 0 && rowLength >= MIN_SCALAR_ROW ? ROW_SCALAR : STAGED;
    store<u8>(modes() + j, mode);
    if (mode == CONSTANT) setScalar(j, load<u32>(<usize>word(2 + j)));
    if (mode == ROW_SCALAR) rowScalars = true;
  }
  return rowScalars;
}

/** Copies `count` elements of input j from row position `pos` into its slot at `filled`. */
function stageSegment(j: i32, rank: i32, pos: i32, filled: i32, count: i32): void {
  const s = strideOf(rank, j, rank - 1);
  const src = at(<usize>word(2 + j), offsetOf(j) + pos * s);
  const dst = at(stagedSlot(j), filled);
  if (s == 0) splat(dst, load<u32>(src), count);
  else if (s == 1) memory.copy(dst, src, <usize>count << 2);
  else for (let i = 0; i < count; i++) store<u32>(at(dst, i), load<u32>(src + (<usize>(i * s) << 2)));
}

/** Advances the odometer over the outer axes by one row, moving each input's offset along. */
function nextRow(inputs: i32, rank: i32): void {
  for (let d = rank - 2; d >= 0; d--) {
    const idx = load<i32>(at(walkIndex(), d)) + 1, size = param(1 + d);
    const wrap = idx == size;
    store<i32>(at(walkIndex(), d), wrap ? 0 : idx);
    for (let j = 0; j < inputs; j++) {
      const p = inputOffsets() + (<usize>j << 2);
      store<i32>(p, load<i32>(p) + (wrap ? -strideOf(rank, j, d) * (size - 1) : strideOf(rank, j, d)));
    }
    if (!wrap) break;
  }
}

/** A vector operand for `where`: the value's block, or its scalar spread into where-slot `w`. */
function vectorOf(v: i32, w: i32, n: i32): usize {
  if (!isScalar(v)) return valueAt(v);
  const slot = slotAt(WHERE_SLOTS + w);
  splat(slot, <u32>valueAt(v), n);
  return slot;
}

/** Runs every non-constant step on one block; the last step's value goes to `out`. */
function runBlock(inputs: i32, steps: i32, out: usize, n: i32): void {
  for (let k = 0; k < steps; k++) {
    const code = stepWord(k, 0), kind = code >> 5, op = code & 31;
    if (kind == K_CONST) continue;
    const v = inputs + k, last = k == steps - 1;
    const y = last ? out : slotAt(stepWord(k, 4));
    const x0 = stepWord(k, 1), x1 = stepWord(k, 2), x2 = stepWord(k, 3);
    if (kind == K_UNARY) {
      if (isScalar(x0)) setScalar(v, reinterpret<u32>(<f32>unaryF64(op, <f64>reinterpret<f32>(<u32>valueAt(x0)))));
      else { unaryStep(op, valueAt(x0), y, n); setVector(v, y); }
    } else if (kind == K_BINARY) {
      const s0 = isScalar(x0), s1 = isScalar(x1);
      if (s0 && s1) setScalar(v, binaryScalar(op, false, false, <u32>valueAt(x0), <u32>valueAt(x1)));
      else { binaryStep(op, s0 ? 1 : s1 ? 2 : 0, valueAt(x0), valueAt(x1), y, n); setVector(v, y); }
    } else if (isScalar(x0) && isScalar(x1) && isScalar(x2)) {
      setScalar(v, reinterpret<f32>(<u32>valueAt(x0)) != 0 ? <u32>valueAt(x1) : <u32>valueAt(x2));
    } else {
      whereStep(vectorOf(x0, 0, n), vectorOf(x1, 1, n), vectorOf(x2, 2, n), y, n);
      setVector(v, y);
    }
    if (last && isScalar(v)) splat(out, <u32>valueAt(v), n);
  }
}

/**
 * out = the program in PROGRAM over the broadcast layout in PARAMS (float32 inputs and output), part `part`
 * of `parts`: a range of whole rows when blocks stay within rows, else of elements starting at a multiple
 * of 4. Every element is computed alone (the four-lane and scalar code of a step round alike), so the
 * result does not depend on the split. A program whose last step is a constant is the host's business (it
 * never sends one).
 */
export function elementwiseProgram(out: usize, part: i32, parts: i32): i32 {
  const inputs = word(0), steps = word(1);
  const rank = param(0);
  const n = rank > 0 ? param(rank) : 1;
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= param(1 + d);
  const inRows = classifyInputs(inputs, rank, n);
  let first = 0, end = 0;
  if (inRows) {
    first = partStart(rows, part, parts) * n;
    end = partStart(rows, part + 1, parts) * n;
  } else {
    Block.of(rows * n, part, parts, 4);
    first = Block.start;
    end = Block.end;
  }
  if (first >= end) return STATUS_OK;
  for (let k = 0; k < steps; k++) {
    if (stepWord(k, 0) >> 5 == K_CONST) setScalar(inputs + k, <u32>stepWord(k, 1));
  }
  seekRow(rank, inputs, first / n, inputOffsets());
  let pos = first % n;
  for (let done = first; done < end;) {
    const len = min(BLOCK, inRows ? n - pos : end - done);
    for (let j = 0; j < inputs; j++) {
      const mode = load<u8>(modes() + j);
      if (mode == IN_PLACE) setVector(j, at(<usize>word(2 + j), done));
      else if (mode == STAGED) setVector(j, stagedSlot(j));
      else if (mode == ROW_SCALAR) setScalar(j, load<u32>(at(<usize>word(2 + j), offsetOf(j))));
    }
    for (let filled = 0; filled < len;) {
      const count = min(n - pos, len - filled);
      for (let j = 0; j < inputs; j++) {
        if (load<u8>(modes() + j) == STAGED) stageSegment(j, rank, pos, filled, count);
      }
      filled += count;
      pos += count;
      if (pos == n) {
        pos = 0;
        nextRow(inputs, rank);
      }
    }
    runBlock(inputs, steps, at(out, done), len);
    done += len;
  }
  return STATUS_OK;
}

/** Address of the PROGRAM block. */
export function programPointer(): usize { return PROGRAM; }
