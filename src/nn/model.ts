/**
 * Models are pure functions of their parameters: `init` makes a record of named tensors (PyTorch names
 * and layouts: `conv0.weight` OIHW, linear `[out, in]`), `apply` maps parameters and inputs to outputs.
 * Fast weights in MAML are just another record; nothing is cloned or patched.
 *
 * `apply` runs T tasks at once ("the meta-batch is one batched computation"): every parameter carries a
 * leading task axis [T, ...shape] and x is [T, B, ...inputShape]; the result is [T, B, outputs]. Each task
 * sees only its own parameters and its own batch statistics, exactly as a loop over tasks would.
 */
import type { TensorRecord } from "../autograd.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";

export interface Model {
  /** "mlp", "conv4" or a user's name; stored in checkpoints. */
  readonly name: string;
  /** What is needed to rebuild the model (stored in checkpoint metadata as strings). */
  readonly config: Readonly<Record<string, string | number>>;
  /** Shape of one example, e.g. [1, 28, 28]. */
  readonly inputShape: readonly number[];
  /** Parameter shapes (without the task axis), in model order. */
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  /** Fresh parameters (PyTorch's default initialisation unless the model says otherwise). */
  init(rng: Rng): TensorRecord;
  /** params [T, ...shape] each, x [T, B, ...inputShape] → [T, B, outputs]. */
  apply(params: TensorRecord, x: Tensor): Tensor;
}
