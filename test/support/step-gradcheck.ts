// A meta-step's gradient against float64 central differences of its own loss, for every coordinate of
// every parameter, on the reference backend (for tiny models: two steps per coordinate).
import * as ks from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { compare, type Mismatch } from "./gradcheck.ts";

const oracle = new ks.ReferenceBackend();

const float64 = (r: ks.TensorRecord): ks.TensorRecord => Object.fromEntries(Object.entries(r).map(([k, t]) => [k, t.dtype === "float32" ? ks.cast(t, "float64") : t]));

function batch64(b: ks.meta.TaskBatch): ks.meta.TaskBatch {
  const x64 = (t: Tensor) => ks.cast(t, "float64");
  return { ...b, support: { x: x64(b.support.x), y: b.support.y }, query: { x: x64(b.query.x), y: b.query.y } };
}

/** What to check: an algorithm, its meta-parameters and a batch, all made by `make` (it runs on the oracle). */
export interface StepCase {
  algo: ks.meta.MetaAlgorithm;
  params: ks.TensorRecord;
  batch: ks.meta.TaskBatch;
}

/** The step's gradient vs central differences of the step's loss: the largest error relative to the largest numeric value. */
export function stepGradientError(make: () => StepCase, h = 1e-6): { error: number; worst?: Mismatch & { name: string } } {
  return ks.withBackend(oracle, () => ks.tidy(() => {
    const c = make();
    const params = float64(c.params);
    const batch = batch64(c.batch);
    const names = Object.keys(params);
    const grads = ks.tidy(() => c.algo.step(params, batch).grads);
    const analytic = names.map((k) => Float64Array.from(grads[k]!.dataSync()));
    const lossAt = (name: string, i: number, d: number) => ks.tidy(() => {
      const v = Float64Array.from(params[name]!.dataSync());
      v[i] += d;
      return c.algo.step({ ...params, [name]: ks.tensor(v, params[name]!.shape, "float64") }, batch).loss.dataSync()[0]!;
    });
    const numeric = names.map((k) => Float64Array.from({ length: params[k]!.size }, (_, i) => (lossAt(k, i, h) - lossAt(k, i, -h)) / (2 * h)));
    const { error, worst } = compare(analytic, numeric);
    return { error, ...(worst ? { worst: { ...worst, name: names[worst.input]! } } : {}) };
  }));
}
