/**
 * Task-batched layers: every parameter has a leading task axis T. Convolutions of T tasks run as ONE
 * grouped convolution: images [T, B, C, H, W] are laid out as [B, T·C, H, W] and weights [T, O, C, k, k]
 * as [T·O, C, k, k] with groups = T, so channel group t sees only task t's images and weights. BatchNorm
 * over that layout normalises each of the T·C channels over (B, H, W): per-task statistics for free.
 */
import { add, relu } from "../ops/elementwise.ts";
import { matmul } from "../ops/matmul.ts";
import { batchNorm } from "../ops/nn.ts";
import { conv2d } from "../ops/conv.ts";
import { maxPool2d } from "../ops/pool.ts";
import { reshape, transpose } from "../ops/shape.ts";
import type { Tensor } from "../tensor.ts";

/** [T, B, C, H, W] → [B, T·C, H, W]. */
export function toGrouped(x: Tensor): Tensor {
  const [t, b, c, h, w] = x.shape;
  return reshape(transpose(x, [1, 0, 2, 3, 4]), [b, t * c, h, w]);
}

/** [B, T·C, H, W] → [T, B, C·H·W] (features per task). */
export function fromGrouped(x: Tensor, tasks: number): Tensor {
  const [b, tc, h, w] = x.shape;
  return transpose(reshape(x, [b, tasks, (tc / tasks) * h * w]), [1, 0, 2]);
}

/** y = x·Wᵀ + b per task: x [T, B, in], W [T, out, in], b [T, out] → [T, B, out]. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const [t, out] = bias.shape;
  return add(matmul(x, weight, { transB: true }), reshape(bias, [t, 1, out]));
}

/**
 * One Conv-4 block on the grouped layout: 3×3 convolution (padding 1, bias), BatchNorm with batch
 * statistics, ReLU, 2×2 max-pool. Parameters carry the task axis.
 */
export function convBlock(x: Tensor, weight: Tensor, bias: Tensor, gamma: Tensor, beta: Tensor): Tensor {
  const [t, o, c, kh, kw] = weight.shape;
  const w = reshape(weight, [t * o, c, kh, kw]);
  const y = add(conv2d(x, w, { padding: 1, groups: t }), reshape(bias, [1, t * o, 1, 1]));
  const n = batchNorm(y, reshape(gamma, [t * o]), reshape(beta, [t * o]));
  return maxPool2d(relu(n));
}
