/**
 * The inner loop shared by the MAML family: `steps` plain gradient steps on the support set, for all T
 * tasks at once. The gradient of Σ_t L_t (each task's mean loss) with respect to the task-batched fast
 * weights is, task by task, ∇L_t, because task t's loss depends only on its own slice of the weights.
 */
import { grad, type TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { mul } from "../ops/elementwise.ts";
import { fused } from "../ops/fused.ts";
import type { Tensor } from "../tensor.ts";
import type { Model } from "../nn/model.ts";
import { type LossKind, meanTaskLoss } from "./losses.ts";
import { pick } from "./params.ts";

export interface InnerLoopOptions {
  /** Number of gradient steps. */
  steps: number;
  /** Step size: one number, or a tensor per adapted parameter (Meta-SGD), shaped like the parameter. */
  lr: number | TensorRecord;
  /** Treat the inner gradients as constants (FOMAML, Reptile); otherwise differentiable when nested. */
  firstOrder: boolean;
  /** Names of the parameters the inner loop adapts; the others stay as given. */
  adapt: readonly string[];
  loss: LossKind;
}

/** Fast weights after the inner loop. `fast` has a task axis on every parameter; x [T, S, ...], y [T, S, ...]. */
export function innerLoop(model: Model, fast: TensorRecord, x: Tensor, y: Tensor, o: InnerLoopOptions): TensorRecord {
  const tasks = x.shape[0];
  return tidy(() => {
    let current = fast;
    for (let s = 0; s < o.steps; s++) {
      const frozen = current;
      const taskSumLoss = (adapted: TensorRecord) => mul(meanTaskLoss(o.loss, model.apply({ ...frozen, ...adapted }, x), y), tasks);
      const g = grad(taskSumLoss, o.firstOrder ? { createGraph: false } : {})(pick(current, o.adapt));
      const next: TensorRecord = { ...current };
      for (const k of o.adapt) {
        const lr = o.lr;
        // One fused kernel per parameter (and one per input in its VJP), same arithmetic as sub(p, mul(g, lr)).
        next[k] = typeof lr === "number"
          ? fused("inner step", [current[k], g[k]], (f, p, g) => f.sub(p, f.mul(g, lr)))
          : fused("inner step", [current[k], g[k], lr[k]], (f, p, g, rate) => f.sub(p, f.mul(g, rate)));
      }
      current = next;
    }
    return current;
  });
}
