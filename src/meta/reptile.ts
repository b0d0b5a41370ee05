/**
 * Reptile (Nichol, Achiam, Schulman. On First-Order Meta-Learning Algorithms. arXiv:1803.02999, 2018).
 * For each task: φ_t = `innerSteps` steps of plain SGD (step `innerLr`) from θ, full batch on the task's
 * support and query examples together. The update is θ ← θ + ε(mean_t φ_t − θ); `step` returns the
 * pseudo-gradient θ − mean_t φ_t, so a meta-optimizer (SGD with step ε, or Adam) applies it.
 *
 * @example
 * const algo = ks.meta.reptile(ks.nn.conv4({ ways: 5 }), { innerLr: 0.001, innerSteps: 5 });
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { sub } from "../ops/elementwise.ts";
import { concat } from "../ops/shape.ts";
import type { Model } from "../nn/model.ts";
import type { Rng } from "../rng.ts";
import type { EvaluationOptions, MetaAlgorithm, MetaStep } from "./algorithm.ts";
import { innerLoop } from "./inner-loop.ts";
import { accuracy, type LossKind, meanTaskLoss } from "./losses.ts";
import { mapRecord, perTask, taskMean } from "./params.ts";
import { type TaskBatch, taskCount } from "./task-batch.ts";

export interface ReptileOptions {
  /** Inner SGD step size. Default 0.1. */
  innerLr?: number;
  /** Inner SGD steps during meta-training. Default 5. */
  innerSteps?: number;
  /** Inner steps when adapting at evaluation. Default: innerSteps. */
  evalSteps?: number;
  /** Inner step size at evaluation. Default: innerLr. */
  evalLr?: number;
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
  const adapt = Object.keys(model.paramShapes);
  const sgd = (params: TensorRecord, x: import("../tensor.ts").Tensor, y: import("../tensor.ts").Tensor, steps: number, lr: number) =>
    innerLoop(model, perTask(params, x.shape[0]), x, y, { steps, lr, firstOrder: true, adapt, loss });

  return {
    name: "reptile",
    model,
    loss,
    options: { innerLr, innerSteps, evalSteps, evalLr },
    init: (rng: Rng) => model.init(rng),
    step(params: TensorRecord, batch: TaskBatch): MetaStep {
      taskCount(batch);
      return tidy(() => {
        const x = concat([batch.support.x, batch.query.x], 1);
        const y = concat([batch.support.y, batch.query.y], 1);
        const phi = sgd(params, x, y, innerSteps, innerLr);
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
        const fast = sgd(params, batch.support.x, batch.support.y, options.steps ?? evalSteps, options.lr ?? evalLr);
        const predictions = model.apply(fast, batch.query.x);
        const acc = loss === "cross_entropy" ? accuracy(predictions, batch.query.y) : undefined;
        return { predictions, loss: meanTaskLoss(loss, predictions, batch.query.y), accuracy: acc };
      });
    },
  };
}
