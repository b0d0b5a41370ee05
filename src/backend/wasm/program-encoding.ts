/**
 * Encoding an elementwise program for the fused wasm kernel (assembly/fused.ts): op codes, operands and a
 * scratch slot per step. Slots are reused once a value has had its last use, so a long chain (a BatchNorm
 * backward) needs only a few 1 KiB blocks at a time; constants keep theirs (they are filled once per call).
 */
import { type ElementwiseProgram, type ProgramStep, stepOperands } from "../backend.ts";
import { BINARY_CODES, UNARY_CODES } from "../../generated/op-codes.ts";

/** Limits of assembly/fused.ts. */
export const FUSED_MAX_INPUTS = 6;
export const FUSED_MAX_STEPS = 96;
const MAX_SLOTS = 64;
/** Slots the steps may use: the top FUSED_MAX_INPUTS slots stage inputs, the three below spread `where` operands. */
const STEP_SLOTS = MAX_SLOTS - FUSED_MAX_INPUTS - 3;
const STEP_WORDS = 5;
const HEADER_WORDS = 2 + FUSED_MAX_INPUTS;
const KIND = { const: 0, unary: 1, binary: 2, where: 3 } as const;

const f32Bits = new Int32Array(1);
const f32View = new Float32Array(f32Bits.buffer);

function code(step: ProgramStep): number {
  const op = step.kind === "unary" ? UNARY_CODES[step.op] : step.kind === "binary" ? BINARY_CODES[step.op] : 0;
  // An op name the table does not know (a program built by hand) has no code: the caller runs it unfused.
  return op === undefined ? -1 : KIND[step.kind] * 32 + op;
}

/**
 * Writes the program (header, input pointers, steps with their slots) into `words` from `base`. Returns
 * false, writing nothing useful, when the fused kernel cannot take it: too many inputs, steps or live
 * values, an operand that is not an earlier value, or a last step that is a constant.
 */
export function encodeProgram(program: ElementwiseProgram, inputPointers: readonly number[], words: Int32Array, base: number): boolean {
  const { inputs, steps } = program;
  const count = steps.length;
  if (inputs !== inputPointers.length || inputs > FUSED_MAX_INPUTS || count === 0 || count > FUSED_MAX_STEPS) return false;
  if (steps[count - 1].kind === "const") return false;
  const lastUse = new Int32Array(inputs + count).fill(-1);
  for (let k = 0; k < count; k++) {
    if (code(steps[k]) < 0) return false;
    for (const v of stepOperands(steps[k])) {
      if (!Number.isInteger(v) || v < 0 || v >= inputs + k) return false;
      lastUse[v] = k;
    }
  }
  const slotOf = new Int32Array(count);
  const free: number[] = [];
  let next = 0;
  for (let k = 0; k < count; k++) {
    const step = steps[k];
    // Operands used for the last time here give their slots back first: a step reads lane i before it
    // writes lane i, so its result may overwrite an operand's block.
    for (const v of new Set(stepOperands(step))) {
      if (v >= inputs && steps[v - inputs].kind !== "const" && lastUse[v] === k) free.push(slotOf[v - inputs]);
    }
    // Constants are filled once per call, before any step runs: their slots are never shared.
    if (step.kind === "const") slotOf[k] = next++;
    else slotOf[k] = k === count - 1 ? -1 : free.pop() ?? next++;
    if (next > STEP_SLOTS) return false;
  }
  words[base] = inputs;
  words[base + 1] = count;
  for (let j = 0; j < inputs; j++) words[base + 2 + j] = inputPointers[j];
  for (let k = 0; k < count; k++) {
    const step = steps[k];
    const at = base + HEADER_WORDS + k * STEP_WORDS;
    const ops = stepOperands(step);
    if (step.kind === "const") {
      f32View[0] = step.value;
      ops.push(f32Bits[0]);
    }
    words[at] = code(step);
    words[at + 1] = ops[0] ?? 0;
    words[at + 2] = ops[1] ?? 0;
    words[at + 3] = ops[2] ?? 0;
    words[at + 4] = slotOf[k];
  }
  return true;
}
