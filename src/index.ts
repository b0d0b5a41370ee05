/**
 * kshot: a portable meta-learning runtime. `import * as ks from "kshot"`, then `await ks.init()`.
 */
export { init, getBackendName, backendReport, type InitOptions, type BackendName, type BackendReport, type BackendLoss } from "./init.ts";
export type { WebGPUProbe, AdapterDescription } from "./backend/webgpu/probe.ts";
export { tidy, keep, memory, noGrad, withBackend, configure, flush, backendInUse } from "./engine.ts";
export { Tensor } from "./tensor.ts";
export { KshotError } from "./errors.ts";
export type { DType, TypedArrayFor } from "./dtype.ts";
export type { Shape } from "./shape.ts";
export * from "./ops/index.ts";
export { grad, valueAndGrad, gradients, type TensorRecord, type GradOptions } from "./autograd.ts";
export { ReferenceBackend } from "./backend/reference/reference-backend.ts";
export { UNARY_OPS, BINARY_OPS, REDUCE_OPS } from "./optable/names.ts";
export type {
  Backend, BackendBuffer, BackendCounters, BatchNormParams, BinaryOp, Broadcast, Conv2dParams, CopyParams, ElementwiseProgram, GatherParams,
  MatmulParams, Pool2dParams, ProgramStep, ReduceOp, UnaryOp,
} from "./backend/backend.ts";
export * as nn from "./nn/index.ts";
export * as meta from "./meta/index.ts";
export { Rng, type RngState } from "./rng.ts";
export { valueAndGradWithAux } from "./autograd.ts";
export * as data from "./data/index.ts";
export * from "./train/index.ts";
export * as optim from "./optim/index.ts";
export * as io from "./io/index.ts";
export { Learner, imagesToTensor, type LoadOptions, type AdaptOptions, type Adaptation, type Prediction, type ClassLabel, type ImageLike, type EncodedImage, type DecodedImage, type InputOptions, type Polarity, type RawImage } from "./learner.ts";
export type { DrawableImage, InputShape } from "./learner/inputs.ts";
