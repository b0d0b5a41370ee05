/**
 * A meta-batch of T tasks as tensors, tasks along the leading axis: support x [T, S, ...inputShape],
 * support y [T, S] (int32 class labels 0..N−1) or [T, S, ...outputs] (float regression targets), and the
 * same for the query set.
 */
import { KshotError } from "../errors.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";

export interface LabelledSet {
  x: Tensor;
  y: Tensor;
}

export interface TaskBatch {
  support: LabelledSet;
  query: LabelledSet;
  /** Classes per task (N) for classification: labels are 0..N−1. */
  ways?: number;
}

/** N of a classification batch, or a KshotError saying it is missing. */
export function waysOf(batch: TaskBatch): number {
  const n = batch.ways;
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    throw new KshotError(`task batch: classification needs \`ways\` (classes per task, a positive integer), got ${n}`);
  }
  return n;
}

/**
 * Number of tasks in the batch, after checking that the four tensors agree on it and that the support set
 * (and, unless `queriesOptional`, the query set) has examples: kernels never see an empty set.
 */
export function taskCount(batch: TaskBatch, queriesOptional = false): number {
  const t = batch.support.x.shape[0];
  const all = [batch.support.x, batch.support.y, batch.query.x, batch.query.y];
  if (all.some((a) => a.rank < 2 || a.shape[0] !== t)) {
    throw new KshotError(`task batch: expected x and y of support and query to share the task axis [T, ...], got ${all.map((a) => formatShape(a.shape)).join(", ")}`);
  }
  if (batch.support.y.shape[1] !== batch.support.x.shape[1] || batch.query.y.shape[1] !== batch.query.x.shape[1]) {
    throw new KshotError(`task batch: every example needs a label: support ${formatShape(batch.support.x.shape)} vs ${formatShape(batch.support.y.shape)}, query ${formatShape(batch.query.x.shape)} vs ${formatShape(batch.query.y.shape)}`);
  }
  if (t === 0 || batch.support.x.shape[1] === 0) throw new KshotError(`task batch: expected at least one task with support examples, got support ${formatShape(batch.support.x.shape)}`);
  if (!queriesOptional && batch.query.x.shape[1] === 0) {
    throw new KshotError(`task batch: expected query examples to predict (queries ≥ 1), got query ${formatShape(batch.query.x.shape)}`);
  }
  return t;
}
