/**
 * Task-batched layers: every parameter has a leading task axis T. Convolutions of T tasks run as ONE
 * grouped convolution: images [T, B, C, H, W] are laid out as [B, T·C, H, W] and weights [T, O, C, k, k]
 * as [T·O, C, k, k] with groups = T, so channel group t sees only task t's images and weights. BatchNorm
 * over that layout normalises each of the T·C channels over (B, H, W): per-task statistics for free.
 */
import { KshotError } from "../errors.ts";
import { add, mul, relu, rsqrt } from "../ops/elementwise.ts";
import { fused } from "../ops/fused.ts";
import { matmul } from "../ops/matmul.ts";
import { batchNorm } from "../ops/batch-norm.ts";
import { conv2d } from "../ops/conv.ts";
import { affinePoolRelu, maxPool2d } from "../ops/pool.ts";
import { mean } from "../ops/reduce.ts";
import { reshape, transpose } from "../ops/shape.ts";
import { formatShape } from "../shape.ts";
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

/** The statistics one BatchNorm layer normalises with, per task: channel means and biased variances, [T, C] each. */
export interface BatchNormStatistics {
  mean: Tensor;
  variance: Tensor;
}

/**
 * Where a task-batched model's BatchNorm layers take their statistics from. By default each batch
 * normalises with its own (MAML's transductive BatchNorm). `Learner.predict` instead reuses the statistics
 * of the support set it adapted on, so that a prediction never depends on what else is in the batch.
 */
export interface BatchNormSource {
  /** Normalise with these statistics, one entry per BatchNorm layer in model order, instead of the batch's. */
  statistics?: readonly BatchNormStatistics[];
  /**
   * Receives each layer's batch statistics, in model order, and normalises with exactly those (so a later
   * apply with `statistics: collected` reproduces this one). The tensors are created inside the model's
   * `tidy`: collect under `tidy`/`keep` rules like any result (see conv4's apply), and dispose them.
   */
  collect?: BatchNormStatistics[];
}

const BN_EPS = 1e-5;

/** Per-channel batch statistics of y [B, T·C, H, W] as [T, C]. */
function batchStatistics(y: Tensor, tasks: number): BatchNormStatistics {
  const channels = y.shape[1] / tasks;
  const mu = mean(y, [0, 2, 3], true);
  const variance = mean(fused("batch variance", [y, mu], (f, y, mu) => f.square(f.sub(y, mu))), [0, 2, 3]);
  return { mean: reshape(mu, [tasks, channels]), variance: reshape(variance, [tasks, channels]) };
}

/** BatchNorm's per-channel scale and shift [1, T·C, 1, 1] from statistics and affine parameters [T, C] (eps 1e-5, as batchNorm). */
function normalisation(stats: BatchNormStatistics, gamma: Tensor, beta: Tensor): { mean: Tensor; scale: Tensor; beta: Tensor } {
  const [t, c] = gamma.shape;
  if (stats.mean.size !== t * c || stats.variance.size !== t * c) {
    throw new KshotError(`batch norm statistics: expected mean and variance of ${t * c} values ([${t}, ${c}]), got ${formatShape(stats.mean.shape)} and ${formatShape(stats.variance.shape)}`);
  }
  const channel = (v: Tensor) => reshape(v, [1, t * c, 1, 1]);
  return { mean: channel(stats.mean), scale: mul(rsqrt(add(channel(stats.variance), BN_EPS)), channel(gamma)), beta: channel(beta) };
}

/**
 * BatchNorm with given statistics of y [B, T·C, H, W] (plus a per-channel `bias` [T, C] added first, when
 * given), 2×2 max-pool and ReLU: relu(maxPool(((y + bias) − mean)·scale + beta)), one kernel at inference.
 */
function normPoolRelu(y: Tensor, stats: BatchNormStatistics, gamma: Tensor, beta: Tensor, bias?: Tensor): Tensor {
  const n = normalisation(stats, gamma, beta);
  return affinePoolRelu(y, { add: bias, sub: n.mean, mul: n.scale, plus: n.beta });
}

function layerStatistics(statistics: readonly BatchNormStatistics[], layer: number): BatchNormStatistics {
  const stats = statistics[layer];
  if (!stats) throw new KshotError(`batch norm statistics: expected an entry for layer ${layer}, got ${statistics.length} entries`);
  return stats;
}

/** BatchNorm of y [B, T·C, H, W] with its own batch statistics (pushed onto `collect` when given), 2×2 max-pool, ReLU. */
function batchNormPoolRelu(y: Tensor, tasks: number, gamma: Tensor, beta: Tensor, collect?: BatchNormStatistics[]): Tensor {
  // ReLU after the pool: max commutes with ReLU, and the ReLU then touches a quarter of the values.
  if (!collect) return relu(maxPool2d(batchNorm(y, reshape(gamma, [gamma.size]), reshape(beta, [beta.size]))));
  const stats = batchStatistics(y, tasks);
  collect.push(stats);
  return normPoolRelu(y, stats, gamma, beta);
}

/**
 * One Conv-4 block on the grouped layout: 3×3 convolution (padding 1, bias), BatchNorm (batch statistics
 * unless `norm` says otherwise), ReLU, 2×2 max-pool. Parameters carry the task axis; `layer` indexes
 * `norm`'s statistics.
 */
export function convBlock(x: Tensor, weight: Tensor, bias: Tensor, gamma: Tensor, beta: Tensor, norm: BatchNormSource = {}, layer = 0): Tensor {
  const [t, o, c, kh, kw] = weight.shape;
  const w = reshape(weight, [t * o, c, kh, kw]);
  const conv = conv2d(x, w, { padding: 1, groups: t });
  // With given statistics the bias joins the normalisation: one pass over the convolution's output.
  if (norm.statistics) return normPoolRelu(conv, layerStatistics(norm.statistics, layer), gamma, beta, bias);
  return batchNormPoolRelu(add(conv, reshape(bias, [1, t * o, 1, 1])), t, gamma, beta, norm.collect);
}
