/** Meta-learning algorithms (`ks.meta`). */
export { maml, fomaml, metaSgd, anil, type MamlOptions } from "./maml.ts";
export { reptile, type ReptileOptions } from "./reptile.ts";
export { protonet, prototypes, negativeSquaredDistances, PROTONET_METRICS, type ProtonetMetric, type ProtonetOptions } from "./protonet.ts";
export { supportMoments, precisions, negativeMahalanobis, accumulateMoments, type SupportMoments } from "./mahalanobis.ts";
export { COSINE_NORMALIZATIONS, type CosineNormalization, type MatchingNetOptions, matchingNet, matchingProbabilities, normalize } from "./matching-net.ts";
export { EMBEDDINGS, type Embedding } from "./metric.ts";
export type {
  MetaAlgorithm, MetaStep, Evaluation, EvaluationOptions, AlgorithmName, AdaptOptions, AdaptedTask, AdaptationSpec, SupportSet,
  AlgorithmEntry, AlgorithmContext, StoredOptions,
} from "./algorithm.ts";
export { LEARNED_LR_PREFIX } from "./maml.ts";
export type { TaskBatch, LabelledSet } from "./task-batch.ts";
export { meanTaskLoss, accuracy, type LossKind } from "./losses.ts";
export { innerLoop, type InnerLoopOptions } from "./inner-loop.ts";
export { perTask, taskMean } from "./params.ts";
export { minibatch, joinByGroup, examplesPerGroup } from "./minibatches.ts";
export { finetune, type FinetuneOptions } from "./finetune.ts";
export { distillation, distillationLoss, softTargetLoss, episodeLogits, DISTILLATION_DEFAULTS, type DistillationOptions } from "./distill.ts";
export { withRotation, rotateImages, rotationBatch, ROTATION_WEIGHT, type RotationOptions } from "./rotation-auxiliary.ts";
export { metaLstm, type MetaLstmOptions, META_LSTM_PREFIX } from "./meta-lstm.ts";
export { l2lLstm, type L2lLstmOptions, L2L_PREFIX } from "./l2l-lstm.ts";
