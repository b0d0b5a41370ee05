/**
 * What every algorithm's `adapt` and `predict` share: an adapted task's adapted weights and BatchNorm
 * statistics, checking adapt options, and `evaluate` as adapt-then-predict.
 *
 * BatchNorm: adaptation runs with the support batch's statistics, as in meta-training. With
 * `statistics` (the default) the statistics of the support set under the adapted weights are stored as
 * `statistics.<layer>.mean|variance`, and every prediction normalises with them, so a prediction on one
 * example equals its row in a prediction on many. Adapted model parameters are stored as `weights.<param>`.
 */
import type { TensorRecord } from "../autograd.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkOptionalNumber } from "../checks.ts";
import { asConv4 } from "../nn/conv4.ts";
import type { BatchNormSource, BatchNormStatistics } from "../nn/layers.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { AdaptedTask, AdaptOptions, Evaluation, EvaluationOptions, MetaAlgorithm, SupportSet } from "./algorithm.ts";
import { accuracy, meanTaskLoss } from "./losses.ts";
import { perTask, pick } from "./params.ts";
import { type TaskBatch, taskCount } from "./task-batch.ts";

const WEIGHTS = "weights.";
const STATISTICS = "statistics.";

/** The model's own parameters among the meta-parameters. */
export function modelParams(model: Model, params: TensorRecord): TensorRecord {
  return pick(params, Object.keys(model.paramShapes));
}

/** The model on a task-batched x, BatchNorm as `norm` says (models without BatchNorm ignore it). */
function applyModel(model: Model, params: TensorRecord, x: Tensor, norm: BatchNormSource): Tensor {
  const conv4 = asConv4(model);
  return conv4 ? conv4.apply(params, x, { batchNorm: norm }) : model.apply(params, x);
}

function statisticsRecord(stats: readonly BatchNormStatistics[]): TensorRecord {
  const r: TensorRecord = {};
  stats.forEach((s, i) => {
    r[`${STATISTICS}${i}.mean`] = s.mean;
    r[`${STATISTICS}${i}.variance`] = s.variance;
  });
  return r;
}

function statisticsOf(task: AdaptedTask): BatchNormStatistics[] | undefined {
  const stats: BatchNormStatistics[] = [];
  for (let i = 0; task.tensors[`${STATISTICS}${i}.mean`]; i++) {
    stats.push({ mean: task.tensors[`${STATISTICS}${i}.mean`]!, variance: task.tensors[`${STATISTICS}${i}.variance`]! });
  }
  return stats.length > 0 ? stats : undefined;
}

/** The model parameters a task predicts with, for T tasks: its adapted weights, else the meta-parameters. */
export function weightsOf(model: Model, task: AdaptedTask, tasks: number): TensorRecord {
  const names = Object.keys(model.paramShapes);
  if (!names.some((k) => task.tensors[WEIGHTS + k])) return perTask(modelParams(model, task.params), tasks);
  return Object.fromEntries(names.map((k) => [k, task.tensors[WEIGHTS + k]!]));
}

/** Adapted weights (with the task axis) as an adapted task stores them. */
export function weightsRecord(weights: TensorRecord): TensorRecord {
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [WEIGHTS + k, v]));
}

/**
 * The model's outputs on the support set under `weights`, without gradient tracking, and (when the
 * options ask for them) the support statistics to store with the task.
 */
export function supportOutputs(model: Model, weights: TensorRecord, x: Tensor, o: AdaptOptions): { outputs: Tensor; statistics: TensorRecord } {
  const collect: BatchNormStatistics[] = [];
  const outputs = noGrad(() => applyModel(model, weights, x, o.statistics === false ? {} : { collect }));
  return { outputs, statistics: statisticsRecord(collect) };
}

/** The model's outputs on x under an adapted task: its weights and, where stored, its statistics. */
export function taskOutputs(model: Model, task: AdaptedTask, x: Tensor): Tensor {
  return applyModel(model, weightsOf(model, task, x.shape[0]), x, { statistics: statisticsOf(task) });
}

/**
 * An adapted task of gradient-adapted weights `fast` (MAML family, Reptile), with statistics and the
 * support set's predictions (the model's outputs under `fast`: what `predict` computes) when asked.
 */
export function weightsTask(model: Model, params: TensorRecord, fast: TensorRecord, support: SupportSet, steps: number, o: AdaptOptions): AdaptedTask {
  const head = model.config.ways;
  const ways = support.ways ?? (typeof head === "number" && head > 0 ? head : 1);
  const tensors = weightsRecord(fast);
  if (o.statistics === false && !o.supportPredictions) return { params, ways, steps, tensors };
  const { outputs, statistics } = supportOutputs(model, fast, support.x, o);
  const task = { params, ways, steps, tensors: { ...tensors, ...statistics } };
  return o.supportPredictions ? { ...task, supportPredictions: outputs } : task;
}

/** A KshotError when a model with a fixed N-way head is asked to adapt to tasks of another number of classes. */
export function checkHeadWays(algo: Pick<MetaAlgorithm, "name" | "model" | "loss">, ways: number | undefined): void {
  const head = algo.model.config.ways;
  if (ways !== undefined && algo.loss === "cross_entropy" && typeof head === "number" && head > 0 && head !== ways) {
    throw new KshotError(`${algo.name}: the model has a ${head}-way head: expected examples of ${head} classes (labels 0..${head - 1}), got ${ways}`);
  }
}

/** How the caller names the adapt options in messages (the command line: its flags; what: the message's prefix). */
export interface OptionNames {
  what?: string;
  steps: string;
  lr: string;
}

/** A KshotError when `o` sets an adapt option that does not apply to the algorithm, or sets one badly. */
export function checkAdaptOptions(algo: Pick<MetaAlgorithm, "name" | "adaptation">, o: EvaluationOptions, names: OptionNames = { what: "adapt", steps: "steps", lr: "lr" }): void {
  const { steps, lr } = names;
  const what = names.what ? `${names.what}: ` : "";
  checkOptionalNumber(names.what ?? "", steps, o.steps, "non-negative integer");
  checkOptionalNumber(names.what ?? "", lr, o.lr, "non-negative number");
  const a = algo.adaptation;
  if (a.withoutSteps && (o.steps !== undefined || o.lr !== undefined)) {
    throw new KshotError(`${what}${algo.name} ${a.withoutSteps}: ${steps} and ${lr} do not apply`);
  }
  if (a.withoutLr && o.lr !== undefined) throw new KshotError(`${what}${algo.name} ${a.withoutLr}: ${lr} does not apply`);
}

/** The options of `o` that apply to the algorithm (evaluation takes one protocol for every algorithm). */
function applicable(algo: Pick<MetaAlgorithm, "adaptation">, o: EvaluationOptions): EvaluationOptions {
  const a = algo.adaptation;
  return a.withoutSteps ? {} : { steps: o.steps, lr: a.withoutLr ? undefined : o.lr };
}

/** The support set of a task batch, as `adapt` takes it. */
export function supportOf(batch: TaskBatch): SupportSet {
  taskCount(batch);
  return { ...batch.support, ways: batch.ways };
}

/**
 * `evaluate` as adapt-then-predict, with the papers' transductive BatchNorm (each batch normalises with its
 * own statistics): the query loss and, for classification, accuracy.
 */
export function evaluateByAdaptation(algo: MetaAlgorithm, params: TensorRecord, batch: TaskBatch, o: EvaluationOptions = {}): Evaluation {
  return tidy(() => {
    const task = algo.adapt(params, supportOf(batch), { ...applicable(algo, o), statistics: false });
    const predictions = algo.predict(task, batch.query.x);
    const acc = algo.loss === "cross_entropy" ? accuracy(predictions, batch.query.y) : undefined;
    return { predictions, loss: meanTaskLoss(algo.loss, predictions, batch.query.y), accuracy: acc };
  });
}
