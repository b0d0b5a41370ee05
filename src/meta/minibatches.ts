/**
 * Class-balanced minibatches for inner loops that step on part of a task's examples (Reptile's
 * `--inner-batch`). A task's examples [T, S, ...] are viewed as G groups of E = S/G examples, class-major
 * as the episode sampler lays them out (G = N ways; 1 for regression). Step s takes examples
 * s·m … s·m + m − 1 (mod E) of every group, m = batch / G: one pass over the data every E/m steps, in the
 * sampler's random order, so each minibatch holds every class equally.
 */
import { KshotError } from "../errors.ts";
import { concat, reshape, slice } from "../ops/shape.ts";
import type { Tensor } from "../tensor.ts";
import type { LabelledSet } from "./task-batch.ts";

/** Examples per group in each minibatch, or undefined when the batch covers every example (full batch). */
export function examplesPerGroup(batch: number, groups: number, perGroup: number, what: string): number | undefined {
  if (!Number.isInteger(batch) || batch < 1 || batch % groups !== 0) {
    throw new KshotError(`${what}: expected a positive multiple of the ${groups} classes per task (equal examples of each), got ${batch}`);
  }
  const m = batch / groups;
  return m >= perGroup ? undefined : m;
}

/** Rows s·m … s·m + m − 1 (mod E) of axis 2 of x [T, G, E, ...]. */
function cyclicRows(x: Tensor, m: number, step: number): Tensor {
  const e = x.shape[2];
  const start = (step * m) % e;
  const take = (from: number, count: number) =>
    slice(x, x.shape.map((_, i) => (i === 2 ? from : 0)), x.shape.map((_, i) => (i === 2 ? count : -1)));
  return start + m <= e ? take(start, m) : concat([take(start, e - start), take(0, start + m - e)], 2);
}

/** Step `step`'s minibatch of `set` (shape [T, G·E, ...]): m examples of each of the G groups, [T, G·m, ...]. */
export function minibatch(set: LabelledSet, groups: number, m: number, step: number): LabelledSet {
  const pick = (t: Tensor) => {
    const [tasks, s, ...rest] = t.shape;
    const rows = cyclicRows(reshape(t, [tasks, groups, s / groups, ...rest]), m, step);
    return reshape(rows, [tasks, groups * m, ...rest]);
  };
  return { x: pick(set.x), y: pick(set.y) };
}

/** Support and query together, class-major: [T, G·(K+Q), ...] with each group's K then its Q examples. */
export function joinByGroup(a: LabelledSet, b: LabelledSet, groups: number): LabelledSet {
  const join = (p: Tensor, q: Tensor) => {
    const [tasks, , ...rest] = p.shape;
    const grouped = concat([reshape(p, [tasks, groups, -1, ...rest]), reshape(q, [tasks, groups, -1, ...rest])], 2);
    return reshape(grouped, [tasks, p.shape[1] + q.shape[1], ...rest]);
  };
  return { x: join(a.x, b.x), y: join(a.y, b.y) };
}
