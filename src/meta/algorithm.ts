/**
 * What every meta-learning algorithm provides. Meta-parameters are one record: the model's parameters plus
 * any the algorithm learns itself (Meta-SGD's `lr.<name>` step sizes). An algorithm knows nothing of
 * backends; it composes ops and `grad`. It owns its whole behaviour: meta-training (`step`), adaptation to
 * a task (`adapt`), prediction with the adapted task (`predict`) and evaluation (`evaluate`). Nothing
 * outside `src/meta/` asks an algorithm's name to decide what to do.
 *
 * Adding an algorithm:
 * 1. one file in `src/meta/` with its factory (typed options, a docstring with arguments, reference paper
 *    and example) returning a `MetaAlgorithm`, and an `AlgorithmEntry` that rebuilds it from stored options;
 * 2. its name in `AlgorithmName` below and its entry in `src/meta/registry.ts`;
 * 3. its published training recipe in `src/cli/defaults.ts` (`RECIPES`);
 * 4. tests in `test/meta/<file>.test.ts` (one step's gradient, adaptation, memory).
 */
import type { TensorRecord } from "../autograd.ts";
import type { Model } from "../nn/model.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import type { LossKind } from "./losses.ts";
import type { LabelledSet, TaskBatch } from "./task-batch.ts";

export type AlgorithmName = "maml" | "fomaml" | "metasgd" | "anil" | "reptile" | "protonet" | "matchingnet" | "finetune" | "metalstm" | "l2l-lstm";

/** Hyper-parameters as checkpoints store them (`algorithm_options`): flat JSON values. */
export type StoredOptions = Readonly<Record<string, string | number | boolean>>;

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
  /** Query predictions [T, Q, outputs] after adapting on the support set: as `predict` gives them. */
  predictions: Tensor;
  loss: Tensor;
  accuracy?: Tensor;
}

export interface EvaluationOptions {
  /** Inner steps at evaluation (MAML on Omniglot: 3); default the algorithm's own. Ignored where steps do not apply. */
  steps?: number;
  /** Inner step size at evaluation; default the algorithm's own. Ignored where it does not apply. */
  lr?: number;
}

export interface AdaptOptions extends EvaluationOptions {
  /**
   * Store the support set's BatchNorm statistics under the adapted weights, and normalise every prediction
   * with them, so a prediction on one example equals its row in a prediction on many (the Learner's
   * convention). Default true. false: each prediction batch normalises with its own statistics (the
   * papers' transductive evaluation; what `evaluate` does).
   */
  statistics?: boolean;
  /**
   * The support set is class-major with the same number of examples of every class, as `ks.data.tasks`
   * lays out episodes. Algorithms that step on class-balanced minibatches (Reptile's `evalBatch`) need
   * it and step on the whole support set otherwise. Default true.
   */
  balanced?: boolean;
  /**
   * Also return `predict`'s output for the support set itself as the task's `supportPredictions`, where
   * adaptation computes it on the way (the caller disposes it). Spares a caller that wants the support
   * loss a second forward pass over the support set. Default false.
   */
  supportPredictions?: boolean;
}

/** A support set to adapt on: x [T, S, ...inputShape], y [T, S] (labels 0..ways−1) or regression targets. */
export interface SupportSet extends LabelledSet {
  /** Classes per task: required by methods with one output per class built at adaptation (ProtoNet, Matching Net, fine-tuning). */
  ways?: number;
}

/**
 * An algorithm adapted to T tasks (T = 1 for the Learner). `tensors` are its own, named as its algorithm's
 * `adaptation` says, with the task axis; `params` are the meta-parameters it adapted from, borrowed (never
 * disposed with the task, and never changed by adaptation).
 */
export interface AdaptedTask {
  readonly params: TensorRecord;
  readonly ways: number;
  readonly tensors: TensorRecord;
  /** Gradient steps taken (0 for a method without them). */
  readonly steps: number;
  /**
   * With the adapt option `supportPredictions`, where the algorithm has it: the same values as
   * `predict(task, support.x)`, computed on the way (the caller disposes it; it is not one of `tensors`).
   */
  readonly supportPredictions?: Tensor;
}

/** How an algorithm adapts: what its adapted tasks hold and which adapt options apply. */
export interface AdaptationSpec {
  /** The name of what adaptation makes ("weights", "prototypes", "matching", "head"), stored with a saved task. */
  readonly kind: string;
  /** Tensors an adapted task must hold, beyond BatchNorm statistics and adapted weights. */
  readonly tensors: readonly string[];
  /** What `predict` returns for classification: logits, or class probabilities (Matching Net). */
  readonly outputs: "logits" | "probabilities";
  /** Why `steps` and `lr` do not apply (e.g. "adapts by class prototypes, without gradient steps"), where they do not. */
  readonly withoutSteps?: string;
  /** Why `lr` alone does not apply (Meta-SGD's learned step sizes), where it does not. */
  readonly withoutLr?: string;
}

export interface MetaAlgorithm {
  readonly name: AlgorithmName;
  readonly model: Model;
  readonly loss: LossKind;
  /** Hyper-parameters, as stored in checkpoints (the algorithm's registry entry reads them back). */
  readonly options: StoredOptions;
  /** How it adapts (see AdaptationSpec). */
  readonly adaptation: AdaptationSpec;
  /** Fresh meta-parameters. */
  init(rng: Rng): TensorRecord;
  /** Loss and meta-gradient (or update direction) on a batch of tasks. */
  step(params: TensorRecord, batch: TaskBatch): MetaStep;
  /** Adapts to each task's support set (no meta-gradient; `params` unchanged). The result's tensors are new. */
  adapt(params: TensorRecord, support: SupportSet, options?: AdaptOptions): AdaptedTask;
  /**
   * Adapts an adapted task further with more labelled examples of its classes (labels 0..ways−1), as when a
   * device receives examples one batch at a time; present only where the method can (ProtoNet with the
   * Mahalanobis metric). The new examples are embedded as predictions are (the task's BatchNorm
   * statistics). `task` is unchanged; the result's tensors are new.
   */
  accumulate?(task: AdaptedTask, support: SupportSet): AdaptedTask;
  /** Outputs [T, B, ...] for x [T, B, ...inputShape] under an adapted task: logits, regression outputs, or probabilities. */
  predict(task: AdaptedTask, x: Tensor): Tensor;
  /** Adapt to each task's support set and predict its query set (no meta-gradient). */
  evaluate(params: TensorRecord, batch: TaskBatch, options?: EvaluationOptions): Evaluation;
}

/** How the registry builds an algorithm from stored options (checkpoint metadata, command-line flags). */
export interface AlgorithmEntry {
  /** The algorithm on `model` from stored options (unknown keys are ignored); `context` gives what training knows. */
  create(model: Model, options: StoredOptions, context: AlgorithmContext): MetaAlgorithm;
  /** Whether its model ends in a classification head with one output per way (else: an embedding network). */
  readonly head: boolean;
  /** Whether it can regress (mse loss, e.g. the sinusoid). */
  readonly regression: boolean;
}

export interface AlgorithmContext {
  /** Classes of the training data (fine-tuning's pre-training head needs it when the options do not say). */
  trainingClasses?: number;
}
