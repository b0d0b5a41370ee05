/** Neural-network functions composed from ops: softmax, losses, batch normalisation. */
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput } from "../graph.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { add, exp, mul, rsqrt, square, sub } from "./elementwise.ts";
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

export interface BatchNormOptions {
  /** Added to the variance inside the square root; default 1e-5 (PyTorch). */
  eps?: number;
}

/**
 * Batch normalisation with the statistics of this batch (biased variance), per channel of an NCHW or
 * [N, C] input; `gamma` and `beta` are [C]. This is MAML's "transductive" BatchNorm: no running statistics.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: BatchNormOptions = {}): Tensor {
  checkInput("batchNorm", x, "x");
  checkInput("batchNorm", gamma, "gamma");
  checkInput("batchNorm", beta, "beta");
  const c = x.shape[1];
  if ((x.rank !== 2 && x.rank !== 4) || gamma.size !== c || beta.size !== c) {
    throw new KshotError(`batchNorm: expected x [N, C] or [N, C, H, W] with gamma and beta [C], got ${formatShape(x.shape)}, ${formatShape(gamma.shape)}, ${formatShape(beta.shape)}`);
  }
  const eps = options.eps ?? 1e-5;
  const axes = x.rank === 4 ? [0, 2, 3] : [0];
  const channelShape = x.rank === 4 ? [1, c, 1, 1] : [1, c];
  return tidy(() => {
    const mu = mean(x, axes, true);
    const centered = sub(x, mu);
    const variance = mean(square(centered), axes, true);
    const normalized = mul(centered, rsqrt(add(variance, eps)));
    return add(mul(normalized, reshape(gamma, channelShape)), reshape(beta, channelShape));
  });
}
