/** The options and results of `ks.train` (see train.ts). */
import type { TensorRecord } from "../autograd.ts";
import type { Checkpoint, CheckpointMetadata } from "../io/checkpoint.ts";
import type { Optimizer, OptimizerConfig } from "../optim/optimizer.ts";
import type { Schedule } from "../optim/schedule.ts";
import type { TaskSource } from "./batches.ts";
import type { EvaluationResult } from "./evaluate.ts";

export interface ValidationOptions {
  /** Where validation episodes come from (its state is restored before each run: the same episodes each time). */
  tasks: TaskSource;
  /** Validate every this many iterations... */
  every?: number;
  /** ...and/or every this many seconds of training. */
  everySeconds?: number;
  /** Episodes per validation (default 100). */
  episodes?: number;
  steps?: number;
  lr?: number;
  /**
   * Early stopping (Snell et al. 2017): stop once this many validations in a row did not improve on the
   * best one (accuracy; regression: MSE after the most steps). The result's parameters are then the best
   * validated ones, and the checkpoint holds the best validated state (written when validation improves;
   * periodic writes stop after the first validation), so it resumes from there.
   */
  patience?: number;
}

export interface CheckpointOptions {
  /** File to write (Node, Deno), atomically. */
  path?: string;
  /** Called with the checkpoint's bytes instead of / besides writing a file (browsers: store them). */
  write?: (bytes: Uint8Array, iteration: number) => void | Promise<void>;
  /** Write every this many iterations and/or seconds of training, and always at the end. */
  every?: number;
  everySeconds?: number;
  /** Metadata to store besides what training knows (data, evaluation protocol, training extras). */
  metadata?: Pick<CheckpointMetadata, "data" | "evaluation" | "training" | "extra">;
}

export interface TrainOptions {
  /** Tasks per meta-iteration (default 1). */
  metaBatch?: number;
  /** Total meta-iterations to reach (a resumed run counts the checkpoint's). */
  iterations?: number;
  /** Training time of this call, in minutes. */
  minutes?: number;
  /** The meta-optimizer, or its config; default Adam with `metaLr`. */
  optimizer?: Optimizer | OptimizerConfig;
  /** Meta learning rate of the default Adam (default 1e-3). */
  metaLr?: number;
  /** Learning-rate schedule (default constant). */
  schedule?: Schedule;
  /** Clip gradients to this global norm (default: no clipping). */
  clipNorm?: number;
  /** Seed of the initial parameters (`algo.init(new Rng(seed))`), default 0. */
  seed?: number;
  /** Initial parameters instead of `algo.init` (not modified; training works on its own copy). */
  params?: TensorRecord;
  /** Continue a run from its checkpoint (`ks.io.load`). */
  resume?: Checkpoint;
  /** Read the loss back (and report progress) every this many iterations (default 10). */
  logEvery?: number;
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
  validation?: ValidationOptions;
  checkpoint?: CheckpointOptions;
  /** Stop once more than this many steps had a non-finite loss or gradient (default 25). */
  maxNonFinite?: number;
}

export interface TrainProgress {
  /** Meta-iterations done (including a resumed checkpoint's). */
  iteration: number;
  /** The iteration budget, when there is one. */
  iterations?: number;
  /** Mean training loss and accuracy over the iterations since the previous report (finite steps only). */
  loss: number;
  accuracy?: number;
  /** Meta-learning rate of the last step. */
  lr: number;
  tasksPerSecond: number;
  /** Training seconds of this call. */
  seconds: number;
  /** Seconds left in the budget (estimated from the pace for an iteration budget). */
  etaSeconds: number;
  /** Steps skipped for non-finite values so far. */
  skipped: number;
  /** Set on the report that follows a validation run. */
  validation?: EvaluationResult;
}

/** Why training stopped; "patience": early stopping (`validation.patience` validations without improvement). */
export type StopReason = "iterations" | "minutes" | "aborted" | "non-finite" | "patience";

export interface TrainResult {
  /** The trained meta-parameters (the caller owns them); with early stopping, the best validated ones. */
  params: TensorRecord;
  iterations: number;
  /** Training seconds of this call, and in total (with a resumed checkpoint's). */
  seconds: number;
  totalSeconds: number;
  /** Loss and accuracy of the last report. */
  loss: number;
  accuracy?: number;
  stopped: StopReason;
  skipped: number;
  history: TrainProgress[];
  validation?: EvaluationResult;
  /** With early stopping: the iteration of the best validation and its score (accuracy, or −MSE). */
  best?: { iteration: number; score: number };
  /** The checkpoint metadata of the run (model, algorithm, settings): `ks.io.save(params, path, { metadata })` makes a file `Learner.load` and resuming take. */
  metadata: CheckpointMetadata;
}
