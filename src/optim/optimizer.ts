/**
 * What every optimizer provides. An optimizer maps parameters and gradients to NEW parameters (records
 * of tensors, never mutated in place) and keeps its own state tensors (moments, momentum buffers, the
 * step count) out of every `tidy` scope with `keep`, disposing the previous ones at each update, so memory
 * stays flat over any number of steps.
 *
 * A step can be made conditional on a device-side flag (`accept`: a scalar, 1 = apply, 0 = skip): the
 * training loop uses it to skip steps whose loss or gradient is not finite without reading anything back.
 * A skipped step leaves the parameters and every state tensor exactly as they were.
 */
import type { TensorRecord } from "../autograd.ts";
import type { Tensor } from "../tensor.ts";

export type OptimizerKind = "sgd" | "adam" | "rmsprop" | "learned";

/** Hyper-parameters, as stored in checkpoints. */
export type OptimizerConfig = Readonly<Record<string, number | boolean | string>>;

export interface UpdateOptions {
  /** This step's learning rate (a schedule's value); default the optimizer's `lr`. */
  lr?: number;
  /** A scalar tensor holding exactly 1 (apply the step) or 0 (leave parameters and state unchanged). */
  accept?: Tensor;
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  /** The base learning rate. */
  readonly lr: number;
  /** Everything needed to rebuild the optimizer (kind, lr and the rest). */
  readonly config: OptimizerConfig;
  /**
   * New parameters after one step along `grads` (every parameter needs a gradient of its shape). The
   * result belongs to the caller (it is returned from the caller's scope like any op result); `params`
   * and `grads` are left alone.
   */
  update(params: TensorRecord, grads: TensorRecord, options?: UpdateOptions): TensorRecord;
  /** The state tensors by name (`step`, `exp_avg.<param>`, ...), owned by the optimizer: don't dispose. */
  stateTensors(): TensorRecord;
  /**
   * Replaces the state by `tensors` (as returned by `stateTensors`, or read from a checkpoint), which the
   * optimizer copies; the caller keeps ownership of what it passed.
   */
  loadState(tensors: TensorRecord): void;
  /** Frees the state tensors. */
  dispose(): void;
}
