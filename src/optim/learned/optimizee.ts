/**
 * What a learned optimizer is trained and compared on: a batch of independent functions of parameters,
 * each with its own loss. Gradients are taken of the SUM of the losses, so each function's parameters get
 * exactly their own function's gradient.
 */
import type { TensorRecord } from "../../autograd.ts";
import type { Rng } from "../../rng.ts";
import type { Tensor } from "../../tensor.ts";

export interface Optimizee {
  /** Functions in the batch. */
  readonly count: number;
  /** Starting parameters of every function (a leading axis of `count`). */
  init(rng: Rng): TensorRecord;
  /** The loss of each function at `params`: [count]. */
  losses(params: TensorRecord): Tensor;
  /**
   * A stochastic optimizee's move to its next minibatch: optimizers call it once per step, after the
   * update, so the loss at the new parameters and the next gradient see the same batch. Absent: the
   * functions are deterministic.
   */
  advance?(): void;
  /** Frees the functions' own tensors. */
  dispose(): void;
}

/** Draws a fresh batch of `count` functions (e.g. `quadratics`). */
export type OptimizeeSampler = (rng: Rng, count: number) => Optimizee;
