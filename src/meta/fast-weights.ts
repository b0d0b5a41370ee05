// What the algorithms that learn fast weights share (MAML and its variants, the learned update rules): one
// meta-step differentiates the query loss through the inner loop; adaptation keeps the fast weights.
import { type TensorRecord, valueAndGradWithAux } from "../autograd.ts";
import { tidy } from "../engine.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import { checkAdaptOptions, checkHeadWays, weightsTask } from "./adapted-task.ts";
import type { AdaptedTask, AdaptOptions, MetaAlgorithm, MetaStep, SupportSet } from "./algorithm.ts";
import { accuracy, type LossKind, meanTaskLoss } from "./losses.ts";
import { type TaskBatch, taskCount } from "./task-batch.ts";

/** The inner loop: `steps` updates of `params` on the support set (x, y), returning the fast weights. */
export type LearnFastWeights = (params: TensorRecord, x: Tensor, y: Tensor, steps: number) => TensorRecord;

/** One meta-step: the query loss after `learn` on the support set, its gradient, and the fast weights. */
export function fastWeightsStep(model: Model, loss: LossKind, learn: LearnFastWeights, innerSteps: number, params: TensorRecord, batch: TaskBatch): MetaStep {
  taskCount(batch);
  return tidy(() => {
    const { value, grads, aux } = valueAndGradWithAux((p: TensorRecord) => {
      const fast = learn(p, batch.support.x, batch.support.y, innerSteps);
      const predictions = model.apply(fast, batch.query.x);
      return [meanTaskLoss(loss, predictions, batch.query.y), { fast, predictions }] as const;
    }, { createGraph: false })(params);
    const acc = loss === "cross_entropy" ? accuracy(aux.predictions, batch.query.y) : undefined;
    aux.predictions.dispose();
    return { loss: value, grads, adapted: aux.fast, accuracy: acc };
  });
}

/** Adaptation by `learn` to a support set (`options.steps`, else `evalSteps`): the fast weights as a task. */
export function fastWeightsAdapt(algo: MetaAlgorithm, learn: LearnFastWeights, evalSteps: number, params: TensorRecord, support: SupportSet, options: AdaptOptions = {}): AdaptedTask {
  checkAdaptOptions(algo, options);
  checkHeadWays(algo, support.ways);
  const steps = options.steps ?? evalSteps;
  return tidy(() => weightsTask(algo.model, params, learn(params, support.x, support.y, steps), support, steps, options));
}
