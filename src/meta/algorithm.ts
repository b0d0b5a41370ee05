/**
 * What every meta-learning algorithm provides. Meta-parameters are one record: the model's parameters plus
 * any the algorithm learns itself (Meta-SGD's `lr.<name>` step sizes). An algorithm knows nothing of
 * backends; it composes ops and `grad`.
 */
import type { TensorRecord } from "../autograd.ts";
import type { Model } from "../nn/model.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import type { LossKind } from "./losses.ts";
import type { TaskBatch } from "./task-batch.ts";

export type AlgorithmName = "maml" | "fomaml" | "metasgd" | "anil" | "reptile" | "protonet" | "matchingnet" | "finetune";

export interface MetaStep {
  /** The meta-training loss of the batch (mean over tasks of the query losses; Reptile: the inner loss). */
  loss: Tensor;
  /**
   * The direction a gradient-descent meta-optimizer should step along, per meta-parameter: the
   * meta-gradient, or for Reptile the pseudo-gradient θ − mean_t φ_t (so SGD with step ε gives
   * θ + ε(φ̄ − θ)).
   */
  grads: TensorRecord;
  /** Query accuracy (classification), when computed. */
  accuracy?: Tensor;
  /** Fast weights after the inner loop, with the task axis (MAML family, Reptile). */
  adapted?: TensorRecord;
}

export interface Evaluation {
  /** Query predictions [T, Q, outputs] (logits, or regression outputs) after adapting on the support set. */
  predictions: Tensor;
  loss: Tensor;
  accuracy?: Tensor;
}

export interface EvaluationOptions {
  /** Inner steps at evaluation (MAML on Omniglot: 3); default the algorithm's own. */
  steps?: number;
  /** Inner step size at evaluation; default the algorithm's own. */
  lr?: number;
}

export interface MetaAlgorithm {
  readonly name: AlgorithmName;
  readonly model: Model;
  readonly loss: LossKind;
  /** Hyper-parameters, stored in checkpoints. */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Fresh meta-parameters. */
  init(rng: Rng): TensorRecord;
  /** Loss and meta-gradient (or update direction) on a batch of tasks. */
  step(params: TensorRecord, batch: TaskBatch): MetaStep;
  /** Adapt to each task's support set and predict its query set (no meta-gradient). */
  evaluate(params: TensorRecord, batch: TaskBatch, options?: EvaluationOptions): Evaluation;
}
