/**
 * Reptile (Nichol, Achiam, Schulman. On First-Order Meta-Learning Algorithms. arXiv:1803.02999, 2018).
 * For each task: φ_t = `innerSteps` steps of plain SGD (step `innerLr`) from θ on the task's support and
 * query examples together: full batch, or with `innerBatch` class-balanced minibatches of that many examples
 * (the paper's Omniglot setting: 5 steps of 10 of the 50 examples, one pass). The update is
 * θ ← θ + ε(mean_t φ_t − θ); `step` returns the pseudo-gradient θ − mean_t φ_t, so a meta-optimizer (SGD
 * with step ε, or Adam) applies it. Adaptation at evaluation steps on the support set (`evalBatch`).
 *
 * @example
 * const algo = ks.meta.reptile(ks.nn.conv4({ ways: 5 }), { innerLr: 0.1, innerSteps: 5, innerBatch: 10, evalSteps: 50, evalBatch: 5 });
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { sub } from "../ops/elementwise.ts";
import type { Model } from "../nn/model.ts";
import type { Rng } from "../rng.ts";
import type { EvaluationOptions, MetaAlgorithm, MetaStep } from "./algorithm.ts";
import { innerLoop } from "./inner-loop.ts";
import { accuracy, type LossKind, meanTaskLoss } from "./losses.ts";
import { examplesPerGroup, joinByGroup, minibatch } from "./minibatches.ts";
import { mapRecord, perTask, taskMean } from "./params.ts";
import { type LabelledSet, type TaskBatch, taskCount, waysOf } from "./task-batch.ts";

export interface ReptileOptions {
  /** Inner SGD step size. Default 0.1. */
  innerLr?: number;
  /** Inner SGD steps during meta-training. Default 5. */
  innerSteps?: number;
  /** Inner steps when adapting at evaluation. Default: innerSteps. */
  evalSteps?: number;
  /** Inner step size at evaluation. Default: innerLr. */
  evalLr?: number;
  /** Examples per inner step in training, a multiple of the ways (equal per class). Default: all (full batch). */
  innerBatch?: number;
  /** Support examples per inner step at evaluation, a multiple of the ways. Default: all (full batch). */
  evalBatch?: number;
  loss?: LossKind;
}

export function reptile(model: Model, o: ReptileOptions = {}): MetaAlgorithm {
  const innerLr = o.innerLr ?? 0.1;
  const innerSteps = o.innerSteps ?? 5;
  const evalSteps = o.evalSteps ?? innerSteps;
  const evalLr = o.evalLr ?? innerLr;
  const loss = o.loss ?? "cross_entropy";
  if (!(innerLr > 0) || !Number.isInteger(innerSteps) || innerSteps < 1) {
    throw new KshotError(`reptile: expected innerLr > 0 and innerSteps ≥ 1, got ${innerLr} and ${innerSteps}`);
  }
  for (const [name, value] of [["innerBatch", o.innerBatch], ["evalBatch", o.evalBatch]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new KshotError(`reptile: expected ${name} to be a positive integer, got ${value}`);
  }
  const adapt = Object.keys(model.paramShapes);
  /** φ after `steps` SGD steps from θ on `data`, on minibatches of `size` examples when given. */
  const sgd = (params: TensorRecord, data: LabelledSet, groups: number, steps: number, lr: number, size: number | undefined, what: string) => {
    const inner = { lr, firstOrder: true, adapt, loss };
    let fast = perTask(params, data.x.shape[0]);
    const m = size === undefined ? undefined : examplesPerGroup(size, groups, data.x.shape[1] / groups, `reptile ${what}`);
    if (m === undefined) return innerLoop(model, fast, data.x, data.y, { ...inner, steps });
    for (let s = 0; s < steps; s++) {
      const part = minibatch(data, groups, m, s);
      fast = innerLoop(model, fast, part.x, part.y, { ...inner, steps: 1 });
    }
    return fast;
  };
  /** Classes per task: minibatches take equally from each (1 group for regression; unused by full batches). */
  const groupsOf = (batch: TaskBatch, size: number | undefined) => (size === undefined || loss !== "cross_entropy" ? 1 : waysOf(batch));
  const settings: Record<string, number> = { innerLr, innerSteps, evalSteps, evalLr };
  if (o.innerBatch !== undefined) settings.innerBatch = o.innerBatch;
  if (o.evalBatch !== undefined) settings.evalBatch = o.evalBatch;

  return {
    name: "reptile",
    model,
    loss,
    options: settings,
    init: (rng: Rng) => model.init(rng),
    step(params: TensorRecord, batch: TaskBatch): MetaStep {
      taskCount(batch, true); // the inner loop trains on support and query alike
      return tidy(() => {
        const groups = groupsOf(batch, o.innerBatch);
        const { x, y } = joinByGroup(batch.support, batch.query, groups);
        const phi = sgd(params, { x, y }, groups, innerSteps, innerLr, o.innerBatch, "innerBatch");
        const mean = taskMean(phi);
        const grads = mapRecord(params, (p, k) => sub(p, mean[k]));
        const predictions = model.apply(phi, x);
        const value = meanTaskLoss(loss, predictions, y);
        const acc = loss === "cross_entropy" ? accuracy(predictions, y) : undefined;
        return { loss: value, grads, adapted: phi, accuracy: acc };
      });
    },
    evaluate(params: TensorRecord, batch: TaskBatch, options: EvaluationOptions = {}) {
      taskCount(batch);
      return tidy(() => {
        const fast = sgd(params, batch.support, groupsOf(batch, o.evalBatch), options.steps ?? evalSteps, options.lr ?? evalLr, o.evalBatch, "evalBatch");
        const predictions = model.apply(fast, batch.query.x);
        const acc = loss === "cross_entropy" ? accuracy(predictions, batch.query.y) : undefined;
        return { predictions, loss: meanTaskLoss(loss, predictions, batch.query.y), accuracy: acc };
      });
    },
  };
}
