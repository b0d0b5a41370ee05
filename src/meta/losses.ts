/** Task losses over a task-batched prediction [T, B, ...]: the mean over tasks of each task's mean loss. */
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { argmax } from "../ops/reduce.ts";
import { cast, equal } from "../ops/elementwise.ts";
import { mean } from "../ops/reduce.ts";
import { crossEntropy, mse } from "../ops/nn.ts";
import { reshape } from "../ops/shape.ts";
import type { Tensor } from "../tensor.ts";

export type LossKind = "cross_entropy" | "mse";

/**
 * Mean over tasks of the per-task mean loss. Every task has the same batch size, so this is the mean over
 * all T·B examples (cross-entropy) or all elements (mse).
 */
export function meanTaskLoss(kind: LossKind, prediction: Tensor, y: Tensor): Tensor {
  return tidy(() => {
    if (kind === "cross_entropy") {
      const classes = prediction.shape[prediction.rank - 1];
      return crossEntropy(reshape(prediction, [-1, classes]), reshape(y, [-1]));
    }
    if (kind === "mse") return mse(prediction, y);
    throw new KshotError(`unknown loss ${JSON.stringify(kind)} (expected cross_entropy or mse)`);
  });
}

/** Fraction of correct argmax predictions over all tasks (classification only). */
export function accuracy(logits: Tensor, y: Tensor): Tensor {
  return tidy(() => mean(cast(equal(argmax(logits, -1), y), "float32")));
}
