/** Optimizers, learning-rate schedules and gradient clipping (`ks.optim`). */
export type { Optimizer, OptimizerConfig, OptimizerKind, UpdateOptions } from "./optimizer.ts";
export { sgd, type SgdOptions } from "./sgd.ts";
export { adam, type AdamOptions } from "./adam.ts";
export { rmsprop, type RmspropOptions } from "./rmsprop.ts";
export { createOptimizer } from "./create.ts";
export * from "./learned/index.ts";
export {
  type Schedule,
  checkSchedule,
  constantSchedule,
  describeSchedule,
  learningRate,
  linearDecay,
  stepDecay,
} from "./schedule.ts";
export { clipByGlobalNorm, globalNorm } from "./clip.ts";
