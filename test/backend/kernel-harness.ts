/**
 * Running one kernel call on a backend under test and on the reference backend (the oracle), and comparing;
 * seeded test data. Shared by the kernel conformance suite and the per-backend kernel tests.
 */
import type { Backend, BackendBuffer } from "../../src/backend/backend.ts";
import { ReferenceBackend } from "../../src/backend/reference/reference-backend.ts";
import type { DType, TypedArrayFor } from "../../src/dtype.ts";
import { expect } from "vitest";

export interface OutputSpec {
  readonly dtype: DType;
  readonly size: number;
  /** Contents before the call (for kernels that leave elements alone); default zeros. */
  readonly init?: TypedArrayFor;
}

export type KernelCall = (b: Backend, inputs: BackendBuffer[], outputs: BackendBuffer[]) => void;

const reference = new ReferenceBackend();

async function runOn(b: Backend, inputs: readonly TypedArrayFor[], outputs: readonly OutputSpec[], call: KernelCall): Promise<TypedArrayFor[]> {
  const ins = inputs.map((data) => {
    const buf = b.allocate(data instanceof Int32Array ? "int32" : "float32", data.length);
    b.write(buf, data);
    return buf;
  });
  const outs = outputs.map((o) => {
    const buf = b.allocate(o.dtype, o.size);
    b.write(buf, o.init ?? (o.dtype === "int32" ? new Int32Array(o.size) : new Float32Array(o.size)));
    return buf;
  });
  call(b, ins, outs);
  const results = await Promise.all(outs.map((o) => b.read(o)));
  for (const buf of [...ins, ...outs]) b.free(buf);
  return results;
}

/** The outputs of one call on the backend under test (`got`) and on the reference (`want`). */
export async function runBoth(gpu: Backend, inputs: readonly TypedArrayFor[], outputs: readonly OutputSpec[], call: KernelCall) {
  const [got, want] = await Promise.all([runOn(gpu, inputs, outputs, call), runOn(reference, inputs, outputs, call)]);
  return { got, want };
}

export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

/** Elementwise closeness; NaN must meet NaN, an infinity the same infinity, int32 exact. */
export function expectClose(got: TypedArrayFor, want: TypedArrayFor, tol: Tolerance = {}, what = ""): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const rtol = tol.rtol ?? 1e-5;
  const atol = tol.atol ?? 1e-6;
  let bad = 0;
  const examples: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g)
      : !Number.isFinite(w) ? g === w
      : want instanceof Int32Array ? g === w
      : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) {
      bad++;
      if (examples.length < 5) examples.push(`[${i}] got ${g}, want ${w}`);
    }
  }
  expect(bad, `${what}: ${bad} of ${want.length} elements differ: ${examples.join("; ")}`).toBe(0);
}

/** A seeded generator (mulberry32) for reproducible test data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomFloats(n: number, rand: () => number, lo = -2, hi = 2): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

export function randomInts(n: number, rand: () => number, lo: number, hi: number): Int32Array {
  return Int32Array.from({ length: n }, () => lo + Math.floor((hi - lo) * rand()));
}

/** Contiguous row-major strides, and strides of a shape broadcast to an output shape (src/shape.ts). */
export { broadcastStrides, stridesOf as contiguousStrides } from "../../src/shape.ts";
