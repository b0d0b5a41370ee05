/** Episodic training and evaluation (`ks.train`, `ks.evaluate`) and their building blocks. */
export {
  train,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type StopReason,
  type ValidationOptions,
  type CheckpointOptions,
} from "./train.ts";
export {
  evaluate,
  meanAndCi95,
  type EvaluateOptions,
  type EvaluationResult,
  type ClassificationEvaluation,
  type RegressionEvaluation,
} from "./evaluate.ts";
export {
  BatchStream,
  disposeTaskBatch,
  episodeTensors,
  sinusoidTensors,
  taskTensors,
  isClassification,
  type TaskSource,
  type EpisodeTaskBatch,
} from "./batches.ts";
export { distill, type DistillOptions, type Teacher } from "./distill.ts";
export { ALGORITHMS, createAlgorithm, createModel, fromMetadata, algorithmOptions, needsHead, type AlgorithmOptions } from "./algorithms.ts";
