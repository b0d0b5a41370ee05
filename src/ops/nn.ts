/** Neural-network functions composed from ops: softmax and losses (batch normalisation: batch-norm.ts). */
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput } from "../graph.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { exp, mul, square, sub } from "./elementwise.ts";
import { oneHot } from "./gather.ts";
import { logsumexp, mean, sum } from "./reduce.ts";
import { reshape } from "./shape.ts";

/** log softmax along `axis`: x − logsumexp(x). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return tidy(() => sub(x, logsumexp(x, axis, true)));
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return tidy(() => exp(logSoftmax(x, axis)));
}

/** Mean cross-entropy of logits [N, C] against int32 class indices [N]. */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  checkInput("crossEntropy", logits, "logits");
  checkInput("crossEntropy", labels, "labels");
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0] || labels.dtype !== "int32") {
    throw new KshotError(`crossEntropy: expected logits [N, C] and int32 labels [N], got ${formatShape(logits.shape)} and ${labels.dtype} ${formatShape(labels.shape)}`);
  }
  return tidy(() => {
    const picked = sum(mul(oneHot(labels, logits.shape[1], logits.dtype), logSoftmax(logits, 1)), 1);
    return mul(mean(picked), -1);
  });
}

/** Mean squared error over all elements. */
export function mse(prediction: Tensor, target: Tensor): Tensor {
  checkInput("mse", prediction, "prediction");
  checkInput("mse", target, "target");
  if (prediction.size !== target.size) {
    throw new KshotError(`mse: prediction ${formatShape(prediction.shape)} and target ${formatShape(target.shape)} differ in size`);
  }
  return tidy(() => mean(square(sub(prediction, reshape(target, prediction.shape)))));
}
