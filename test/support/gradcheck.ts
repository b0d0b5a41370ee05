// Gradient checks: analytic gradients (and Hessian-vector products) on the active backend against
// central finite differences computed in float64 on a reference backend.
import { expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";

const oracle = new ks.ReferenceBackend();

/** A tiny deterministic generator for test inputs (tests must not depend on Math.random). */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}

export interface Input {
  shape: number[];
  values: Float64Array;
}

export function input(shape: number[], seed: number, lo = -1, hi = 1): Input {
  return { shape, values: randomValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi) };
}

/** The float dtype the active backend computes gradients in. */
export function activeFloat(): ks.DType {
  return ks.getBackendName() === "reference" ? "float64" : "float32";
}

/** Tolerance scale for comparing active-backend results with float64 references. */
export function tolerance(): number {
  return activeFloat() === "float64" ? 1e-6 : 3e-3;
}

type Fn = (xs: Tensor[]) => Tensor;

/** L(xs) = Σ f(xs) ⊙ R with a fixed random R, so every output element matters. */
function weighted(f: Fn, seed: number): Fn {
  return (xs) => {
    const y = f(xs);
    const r = ks.tensor(randomValues(y.size, seed + 977), y.shape, y.dtype);
    return ks.sum(ks.mul(y, r));
  };
}

function toRecord(inputs: readonly Input[], dtype: ks.DType): Record<string, Tensor> {
  return Object.fromEntries(inputs.map((x, i) => [`x${i}`, ks.tensor(x.values, x.shape, dtype)]));
}

const fromRecord = (p: Record<string, Tensor>, n: number): Tensor[] => Array.from({ length: n }, (_, i) => p[`x${i}`]);

/** Value of L at float64 inputs on the oracle. */
function oracleValue(loss: Fn, inputs: readonly Input[]): number {
  return ks.withBackend(oracle, () => ks.tidy(() => {
    const p = toRecord(inputs, "float64");
    return loss(fromRecord(p, inputs.length)).dataSync()[0];
  }));
}

/** Analytic float64 gradients on the oracle. */
function oracleGrad(loss: Fn, inputs: readonly Input[]): Float64Array[] {
  return ks.withBackend(oracle, () => ks.tidy(() => {
    const g = ks.grad((p: Record<string, Tensor>) => loss(fromRecord(p, inputs.length)))(toRecord(inputs, "float64"));
    return inputs.map((_, i) => Float64Array.from(g[`x${i}`].dataSync()));
  }));
}

function perturbed(inputs: readonly Input[], k: number, i: number, h: number): Input[] {
  return inputs.map((x, j) => {
    if (j !== k) return x;
    const v = x.values.slice();
    v[i] += h;
    return { shape: x.shape, values: v };
  });
}

function along(inputs: readonly Input[], dirs: readonly Float64Array[], h: number): Input[] {
  return inputs.map((x, j) => ({ shape: x.shape, values: x.values.map((v, i) => v + h * dirs[j][i]) }));
}

export interface Mismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

/** Largest error relative to the largest reference magnitude (and the place where it happens). */
export function compare(analytic: readonly ArrayLike<number>[], numeric: readonly ArrayLike<number>[]): { error: number; worst?: Mismatch } {
  const scale = Math.max(1e-3, ...numeric.map((n) => Math.max(0, ...Array.from(n, Math.abs))));
  let error = 0;
  let worst: Mismatch | undefined;
  analytic.forEach((a, k) => {
    for (let i = 0; i < a.length; i++) {
      const e = Math.abs(a[i] - numeric[k][i]) / scale;
      if (!(e <= error)) {
        error = Number.isNaN(e) ? Infinity : e;
        worst = { input: k, index: i, analytic: a[i], numeric: numeric[k][i] };
      }
    }
  });
  return { error, worst };
}

/** Analytic gradients on the active backend (float64 on reference, else float32). */
async function activeGrad(loss: Fn, inputs: readonly Input[]): Promise<Float64Array[]> {
  const g = ks.tidy(() => ks.grad((p: Record<string, Tensor>) => loss(fromRecord(p, inputs.length)))(toRecord(inputs, activeFloat())));
  const out = await Promise.all(inputs.map(async (_, i) => Float64Array.from(await g[`x${i}`].data())));
  Object.values(g).forEach((t) => t.dispose());
  return out;
}

/** First derivatives: analytic on the active backend vs central differences on the float64 oracle. */
export async function gradError(f: Fn, inputs: readonly Input[], seed = 1, h = 1e-6): Promise<{ error: number; worst?: Mismatch }> {
  const loss = weighted(f, seed);
  const numeric = inputs.map((x, k) => x.values.map((_, i) => (oracleValue(loss, perturbed(inputs, k, i, h)) - oracleValue(loss, perturbed(inputs, k, i, -h))) / (2 * h)));
  return compare(await activeGrad(loss, inputs), numeric);
}

/** The fixed random directions of the Hessian-vector products of `seed`. */
const directions = (inputs: readonly Input[], seed: number) => inputs.map((x, k) => randomValues(x.values.length, seed * 31 + k));

/**
 * Hessian-vector products of Σ f ⊙ R on the active backend: double backward along the directions of
 * `seed`. With `createGraph` the outer backward records, so the VJPs run as they do under a third derivative.
 */
export async function activeHvp(f: Fn, inputs: readonly Input[], options: { seed?: number; createGraph?: boolean } = {}): Promise<Float64Array[]> {
  const seed = options.seed ?? 1;
  const loss = weighted(f, seed);
  const dirs = directions(inputs, seed);
  const dtype = activeFloat();
  const hv = ks.tidy(() => {
    const v = inputs.map((x, k) => ks.tensor(dirs[k], x.shape, dtype));
    const gv = (p: Record<string, Tensor>) => {
      const g = ks.grad((q: Record<string, Tensor>) => loss(fromRecord(q, inputs.length)))(p);
      return inputs.map((_, k) => ks.sum(ks.mul(g[`x${k}`], v[k]))).reduce((a, b) => ks.add(a, b));
    };
    return ks.grad(gv, { createGraph: options.createGraph ?? false })(toRecord(inputs, dtype));
  });
  const analytic = await Promise.all(inputs.map(async (_, i) => Float64Array.from(await hv[`x${i}`].data())));
  Object.values(hv).forEach((t) => t.dispose());
  return analytic;
}

/** Hessian-vector products: double backward on the active backend vs differences of oracle gradients. */
export async function hvpError(f: Fn, inputs: readonly Input[], seed = 1, h = 1e-5): Promise<{ error: number; worst?: Mismatch }> {
  const loss = weighted(f, seed);
  const dirs = directions(inputs, seed);
  const plus = oracleGrad(loss, along(inputs, dirs, h));
  const minus = oracleGrad(loss, along(inputs, dirs, -h));
  const numeric = plus.map((p, k) => p.map((v, i) => (v - minus[k][i]) / (2 * h)));
  return compare(await activeHvp(f, inputs, { seed }), numeric);
}

/** Forward values on the active backend vs the float64 oracle. */
export async function forwardError(f: Fn, inputs: readonly Input[]): Promise<{ error: number; worst?: Mismatch }> {
  const want = ks.withBackend(oracle, () => ks.tidy(() => Float64Array.from(f(fromRecord(toRecord(inputs, "float64"), inputs.length)).dataSync())));
  const y = ks.tidy(() => f(fromRecord(toRecord(inputs, activeFloat()), inputs.length)));
  const got = Float64Array.from(await y.data());
  y.dispose();
  return compare([got], [want]);
}

/** One op to check: a function of its inputs, and where the inputs come from. */
export interface GradientCase {
  name: string;
  f: Fn;
  inputs: Input[];
  /** Skip the Hessian check (e.g. piecewise-linear ops where it is zero and kinks make it fragile). */
  noHvp?: boolean;
}

/** The checks every differentiable op gets: forward vs the float64 oracle, gradient vs finite differences,
 * Hessian-vector product vs differences of gradients (10× the tolerance: a difference of differences). */
export function itChecksGradients(c: GradientCase): void {
  it(`${c.name}: forward matches the float64 oracle`, async () => {
    const { error, worst } = await forwardError(c.f, c.inputs);
    expect(error, JSON.stringify(worst)).toBeLessThan(tolerance());
  });
  it(`${c.name}: gradient matches finite differences`, async () => {
    const { error, worst } = await gradError(c.f, c.inputs);
    expect(error, JSON.stringify(worst)).toBeLessThan(tolerance());
  });
  if (!c.noHvp) {
    it(`${c.name}: Hessian-vector product matches differences of gradients`, async () => {
      const { error, worst } = await hvpError(c.f, c.inputs);
      expect(error, JSON.stringify(worst)).toBeLessThan(tolerance() * 10);
    });
  }
}
