// Helpers for the wasm backend's parity tests: the same call on the wasm backend and on the reference
// backend (the oracle), and comparisons that say where they differ.
import { expect } from "vitest";
import type { Backend, BackendBuffer } from "../../../src/backend/backend.ts";
import { ReferenceBackend } from "../../../src/backend/reference/reference-backend.ts";
import { createWasmBackend, type WasmBackend } from "../../../src/backend/wasm/index.ts";
import type { DType, TypedArrayFor } from "../../../src/dtype.ts";
import { randomFloats as harnessFloats } from "../kernel-harness.ts";

export interface Pair {
  readonly wasm: WasmBackend;
  readonly ref: ReferenceBackend;
}

export async function backends(): Promise<Pair> {
  return { wasm: await createWasmBackend(), ref: new ReferenceBackend() };
}

export { randomInts, seeded as rng } from "../kernel-harness.ts";

/** n floats uniform in (−scale, scale). */
export function randomFloats(n: number, random: () => number, scale = 1): Float32Array {
  return harnessFloats(n, random, -scale, scale);
}

export function upload(backend: Backend, data: TypedArrayFor): BackendBuffer {
  const dtype: DType = data instanceof Int32Array ? "int32" : "float32";
  const b = backend.allocate(dtype, data.length);
  backend.write(b, data);
  return b;
}

/** The same inputs on both backends. */
export function uploadBoth(pair: Pair, data: TypedArrayFor): [BackendBuffer, BackendBuffer] {
  return [upload(pair.wasm, data), upload(pair.ref, data)];
}

/** An output buffer on both backends, pre-filled with the same values (so "unwritten" is comparable). */
export function outputBoth(pair: Pair, dtype: DType, size: number, fillValue = 0): [BackendBuffer, BackendBuffer] {
  const init = dtype === "int32" ? new Int32Array(size).fill(fillValue) : new Float32Array(size).fill(fillValue);
  return [upload(pair.wasm, init), upload(pair.ref, init)];
}

export function readBoth(pair: Pair, w: BackendBuffer, r: BackendBuffer): [TypedArrayFor, TypedArrayFor] {
  return [pair.wasm.readSync(w), pair.ref.readSync(r)];
}

/** Exact equality, NaN equal to NaN (and 0 equal to -0). Reports the first difference. */
export function expectSame(got: TypedArrayFor, want: TypedArrayFor, what = ""): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const a = got[i], b = want[i];
    if (a === b || (a !== a && b !== b)) continue;
    expect.fail(`${what} element ${i}: got ${a}, want ${b}`);
  }
}

/**
 * |got − want| ≤ rel · scale[i] + abs at every element, where scale defaults to |want| (pass the sum of
 * |terms| for sums and products). NaN must match NaN and infinities must match exactly.
 */
export function expectClose(got: TypedArrayFor, want: TypedArrayFor, rel: number, scale?: ArrayLike<number>, abs = 0, what = ""): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const a = got[i], b = want[i];
    if (a === b || (a !== a && b !== b)) continue;
    const tol = rel * (scale ? scale[i] : Math.abs(b)) + abs;
    if (!(Math.abs(a - b) <= tol)) expect.fail(`${what} element ${i}: got ${a}, want ${b} (tolerance ${tol})`);
  }
}
