/**
 * Adapting a meta-trained model to ONE task (what `Learner.adapt` does) and predicting with the result.
 * The meta-parameters are never changed: adaptation produces its own tensors, an `AdaptedState`.
 *
 * | algorithm | adaptation |
 * | --- | --- |
 * | maml, fomaml, metasgd, anil, reptile | inner SGD steps on the support set (Meta-SGD: its learned step sizes; ANIL: the head) |
 * | protonet | class prototypes: mean support embeddings |
 * | matchingnet | the support embeddings and labels (attention over them) |
 * | finetune | a new N-way head trained by SGD with momentum on the support features (optionally the whole network) |
 *
 * BatchNorm (docs/architecture.md, "BatchNorm"): adaptation runs with the support batch's statistics, as in meta-training; then
 * the statistics of the support set under the adapted weights are stored, and every prediction
 * normalises with them, so a prediction on one example equals its row in a prediction on many.
 *
 * State tensors carry the task axis (T = 1) and are named: `weights.<param>` (adapted model parameters),
 * `statistics.<layer>.mean|variance`, `head.weight|bias` (fine-tuning), `prototypes`, `support` + `labels`.
 */
import { grad, type TensorRecord } from "../autograd.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import type { AlgorithmName, MetaAlgorithm } from "../meta/algorithm.ts";
import { innerLoop } from "../meta/inner-loop.ts";
import { meanTaskLoss } from "../meta/losses.ts";
import { matchingProbabilities } from "../meta/matching-net.ts";
import { perTask, pick } from "../meta/params.ts";
import { negativeSquaredDistances, prototypes } from "../meta/protonet.ts";
import { asConv4 } from "../nn/conv4.ts";
import { uniformFanIn } from "../nn/init.ts";
import { type BatchNormSource, type BatchNormStatistics, linear } from "../nn/layers.ts";
import type { Model } from "../nn/model.ts";
import { zeros } from "../ops/creation.ts";
import { log, maximum, mul } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { softmax } from "../ops/nn.ts";
import { mean, sum } from "../ops/reduce.ts";
import { sgd } from "../optim/sgd.ts";
import { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";

export type AdaptationKind = "weights" | "prototypes" | "matching" | "head";

export interface AdaptedState {
  kind: AdaptationKind;
  /** Classes of the task (N): probabilities have N entries. */
  ways: number;
  /** The state's tensors, named as in the module comment. */
  tensors: TensorRecord;
}

export interface AdaptSettings {
  /** Gradient steps; default the checkpoint's evaluation steps. */
  steps?: number;
  /** Their step size; default the checkpoint's evaluation step size. */
  lr?: number;
}

const GRADIENT: readonly AlgorithmName[] = ["maml", "fomaml", "metasgd", "anil", "reptile"];
const WEIGHTS = "weights.";
const STATISTICS = "statistics.";

/** How `algorithm` adapts (see the module comment). */
export function adaptationKind(algorithm: AlgorithmName): AdaptationKind {
  if (GRADIENT.includes(algorithm)) return "weights";
  if (algorithm === "protonet") return "prototypes";
  if (algorithm === "matchingnet") return "matching";
  return "head";
}

function modelParams(model: Model, params: TensorRecord): TensorRecord {
  return pick(params, Object.keys(model.paramShapes));
}

/** The model on a task-batched x, with its BatchNorm layers' statistics as `norm` says (models without BatchNorm ignore it). */
function applyModel(model: Model, params: TensorRecord, x: Tensor, norm?: BatchNormSource): Tensor {
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

function statisticsOf(state: AdaptedState): BatchNormStatistics[] {
  const stats: BatchNormStatistics[] = [];
  for (let i = 0; state.tensors[`${STATISTICS}${i}.mean`]; i++) {
    stats.push({ mean: state.tensors[`${STATISTICS}${i}.mean`]!, variance: state.tensors[`${STATISTICS}${i}.variance`]! });
  }
  return stats;
}

function prefixed(prefix: string, r: TensorRecord): TensorRecord {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [prefix + k, v]));
}

/** The model parameters a state predicts with: its adapted weights, else the meta-parameters. */
function weightsOf(model: Model, params: TensorRecord, state: AdaptedState): TensorRecord {
  const adapted = Object.keys(model.paramShapes).filter((k) => state.tensors[WEIGHTS + k]);
  if (adapted.length === 0) return perTask(modelParams(model, params), 1);
  return Object.fromEntries(adapted.map((k) => [k, state.tensors[WEIGHTS + k]!]));
}

/** The model's output on x without gradient tracking (BatchNorm as `norm` says). */
function features(model: Model, weights: TensorRecord, x: Tensor, norm: BatchNormSource): Tensor {
  return noGrad(() => applyModel(model, weights, x, norm));
}

/** −mean log p(label) of probabilities [1, S, N]. */
function probabilityLoss(p: Tensor, y: Tensor, ways: number): Tensor {
  return mul(mean(log(maximum(sum(mul(p, oneHot(y, ways, p.dtype)), -1), 1e-12))), -1);
}

function numberOption(o: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = o[key];
  return typeof v === "number" ? v : undefined;
}

function checkSettings(algo: MetaAlgorithm, s: AdaptSettings): void {
  if (s.steps !== undefined && (!Number.isInteger(s.steps) || s.steps < 0)) throw new KshotError(`adapt: expected steps to be a non-negative integer, got ${s.steps}`);
  if (s.lr !== undefined && !(s.lr >= 0 && Number.isFinite(s.lr))) throw new KshotError(`adapt: expected lr to be a non-negative number, got ${s.lr}`);
  const metric = algo.name === "protonet" || algo.name === "matchingnet";
  if (metric && (s.steps !== undefined || s.lr !== undefined)) {
    throw new KshotError(`adapt: ${algo.name} adapts by ${algo.name === "protonet" ? "class prototypes" : "attention over the support set"}, without gradient steps: steps and lr do not apply`);
  }
  if (algo.name === "metasgd" && s.lr !== undefined) throw new KshotError("adapt: metasgd steps with its learned per-parameter step sizes: lr does not apply");
}

/** Plain SGD with momentum (PyTorch's) for `steps` steps; each step frees what the previous one made. */
function sgdSteps(start: TensorRecord, loss: (p: TensorRecord) => Tensor, steps: number, lr: number, momentum: number): TensorRecord {
  const optimizer = sgd({ lr, momentum });
  let current = start;
  for (let s = 0; s < steps; s++) {
    const next = tidy(() => optimizer.update(current, grad(loss, { createGraph: false })(current)));
    if (s > 0) for (const t of Object.values(current)) t.dispose();
    current = next;
  }
  optimizer.dispose();
  return current;
}

function adaptWeights(algo: MetaAlgorithm, params: TensorRecord, x: Tensor, y: Tensor, steps: number, lr: number) {
  const model = algo.model;
  const innerParams = algo.options.innerParams;
  const adapt = typeof innerParams === "string" && innerParams !== "" ? innerParams.split(",") : Object.keys(model.paramShapes);
  const rate = algo.name === "metasgd" ? Object.fromEntries(adapt.map((k) => [k, params[`lr.${k}`]!])) : lr;
  const fast = innerLoop(model, perTask(modelParams(model, params), 1), x, y, { steps, lr: rate, firstOrder: true, adapt, loss: "cross_entropy" });
  const collect: BatchNormStatistics[] = [];
  const logits = features(model, fast, x, { collect });
  return { tensors: { ...prefixed(WEIGHTS, fast), ...statisticsRecord(collect) }, loss: meanTaskLoss("cross_entropy", logits, y) };
}

function adaptMetric(algo: MetaAlgorithm, params: TensorRecord, x: Tensor, y: Tensor, ways: number) {
  const collect: BatchNormStatistics[] = [];
  const z = features(algo.model, perTask(modelParams(algo.model, params), 1), x, { collect });
  const stats = statisticsRecord(collect);
  if (algo.name === "protonet") {
    const protos = prototypes(z, y, ways);
    return { tensors: { prototypes: protos, ...stats }, loss: meanTaskLoss("cross_entropy", negativeSquaredDistances(z, protos), y) };
  }
  return { tensors: { support: z, labels: y, ...stats }, loss: probabilityLoss(matchingProbabilities(z, y, z, ways), y, ways) };
}

function adaptHead(algo: MetaAlgorithm, params: TensorRecord, x: Tensor, y: Tensor, ways: number, steps: number, lr: number) {
  const model = algo.model;
  const o = algo.options;
  const momentum = numberOption(o, "momentum") ?? 0.9;
  const dim = params["head.weight"]?.shape[1];
  if (dim === undefined) throw new KshotError("adapt: this finetune checkpoint has no head.weight (its pre-training head), so the feature size is unknown");
  const head: TensorRecord = o.headInit === "random"
    ? (() => {
        const rng = new Rng(numberOption(o, "seed") ?? 0);
        return { "head.weight": uniformFanIn(rng, [1, ways, dim], dim), "head.bias": uniformFanIn(rng, [1, ways], dim) };
      })()
    : { "head.weight": zeros([1, ways, dim]), "head.bias": zeros([1, ways]) };
  const classify = (p: TensorRecord, z: Tensor) => linear(z, p["head.weight"]!, p["head.bias"]!);
  const base = perTask(modelParams(model, params), 1);
  let weights: TensorRecord = base;
  let trained: TensorRecord;
  if (o.wholeNetwork === true) {
    const all = sgdSteps({ ...base, ...head }, (p) => meanTaskLoss("cross_entropy", classify(p, applyModel(model, p, x)), y), steps, lr, momentum);
    weights = modelParams(model, all);
    trained = pick(all, ["head.weight", "head.bias"]);
  } else {
    const z = features(model, base, x, {});
    trained = sgdSteps(head, (p) => meanTaskLoss("cross_entropy", classify(p, z), y), steps, lr, momentum);
  }
  const collect: BatchNormStatistics[] = [];
  const z = features(model, weights, x, { collect });
  const adaptedWeights = o.wholeNetwork === true ? prefixed(WEIGHTS, weights) : {};
  return { tensors: { ...trained, ...adaptedWeights, ...statisticsRecord(collect) }, loss: meanTaskLoss("cross_entropy", classify(trained, z), y) };
}

/**
 * Adapts to one task: x [1, S, ...inputShape], y int32 [1, S] with labels 0..ways−1. `stored` is the
 * checkpoint's evaluation protocol (steps, lr), used where `settings` gives none. Returns the state, the
 * support loss under it (both new tensors) and the number of gradient steps taken.
 */
export function adaptToTask(algo: MetaAlgorithm, params: TensorRecord, x: Tensor, y: Tensor, ways: number, settings: AdaptSettings, stored: AdaptSettings): { state: AdaptedState; loss: Tensor; steps: number } {
  checkSettings(algo, settings);
  const kind = adaptationKind(algo.name);
  const head = algo.model.config.ways;
  if (kind === "weights" && typeof head === "number" && head > 0 && head !== ways) {
    throw new KshotError(`adapt: this ${algo.name} checkpoint has a ${head}-way head: expected examples of ${head} classes (labels 0..${head - 1}), got ${ways}`);
  }
  const o = algo.options;
  const steps = settings.steps ?? stored.steps ?? numberOption(o, kind === "head" ? "steps" : "evalSteps") ?? 0;
  const lr = settings.lr ?? stored.lr ?? numberOption(o, kind === "head" ? "lr" : "evalLr") ?? 0;
  return tidy(() => {
    const r = kind === "weights" ? adaptWeights(algo, params, x, y, steps, lr)
      : kind === "head" ? adaptHead(algo, params, x, y, ways, steps, lr)
      : adaptMetric(algo, params, x, y, ways);
    return { state: { kind, ways, tensors: r.tensors }, loss: r.loss, steps: kind === "prototypes" || kind === "matching" ? 0 : steps };
  });
}

/** Class probabilities [1, B, N] of x [1, B, ...inputShape] under an adapted state. */
export function predictProbabilities(algo: MetaAlgorithm, params: TensorRecord, state: AdaptedState, x: Tensor): Tensor {
  return tidy(() => {
    const model = algo.model;
    const z = features(model, weightsOf(model, params, state), x, { statistics: asConv4(model) ? statisticsOf(state) : undefined });
    const t = state.tensors;
    return noGrad(() => {
      switch (state.kind) {
        case "weights":
          return softmax(z, -1);
        case "head":
          return softmax(linear(z, t["head.weight"]!, t["head.bias"]!), -1);
        case "prototypes":
          return softmax(negativeSquaredDistances(z, t.prototypes!), -1);
        case "matching":
          return matchingProbabilities(t.support!, t.labels!, z, state.ways);
      }
    });
  });
}

/** The tensor names a state of `kind` must have (beyond statistics), for checking a saved state. */
export function requiredTensors(kind: AdaptationKind): string[] {
  return { weights: [], head: ["head.weight", "head.bias"], prototypes: ["prototypes"], matching: ["support", "labels"] }[kind];
}
