/**
 * Shared machinery of the metric-based methods (ProtoNet, Matching Net): embed each task's support and
 * query examples in ONE batch (`embedding: "joint"`, the default: BatchNorm statistics cover both, as the
 * papers' code does) or each set in a batch of its own (`"separate"`: a common PyTorch recipe), score every
 * query against the support set, and take the cross-entropy of the scores. `evaluate` embeds the two as
 * training does; `adapt` embeds the support set alone (it has no query set) and keeps what
 * the method scores against, and `predict` embeds new examples and scores them.
 */
import { type TensorRecord, valueAndGradWithAux } from "../autograd.ts";
import { checkChoice } from "../checks.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { stopGradient } from "../ops/elementwise.ts";
import { concat, slice } from "../ops/shape.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { Rng } from "../rng.ts";
import { checkAdaptOptions, modelParams, supportOutputs, taskOutputs } from "./adapted-task.ts";
import type { AdaptationSpec, AdaptedTask, AdaptOptions, Evaluation, MetaAlgorithm, MetaStep, StoredOptions, SupportSet } from "./algorithm.ts";
import { accuracy } from "./losses.ts";
import { perTask } from "./params.ts";
import { type TaskBatch, taskCount, waysOf } from "./task-batch.ts";

/** Query scores [T, Q, N] and loss from support embeddings [T, S, D], labels [T, S], query embeddings [T, Q, D]. */
export type Scorer = (support: Tensor, labels: Tensor, query: Tensor, queryLabels: Tensor, ways: number) => { scores: Tensor; loss: Tensor };

/** How an episode's support and query sets pass through the network (see the module comment). */
export const EMBEDDINGS = ["joint", "separate"] as const;
export type Embedding = (typeof EMBEDDINGS)[number];

/** Embeddings of support and query, [T, S, D] and [T, Q, D], computed in one batch or in two. */
export function embedEpisode(model: Model, params: TensorRecord, batch: TaskBatch, embedding: Embedding): [Tensor, Tensor] {
  const tasks = taskCount(batch);
  if (batch.support.y.dtype !== "int32") throw new KshotError(`metric methods classify: expected int32 support labels, got ${batch.support.y.dtype}`);
  if (embedding === "separate") {
    const p = perTask(params, tasks);
    return [model.apply(p, batch.support.x), model.apply(p, batch.query.x)];
  }
  const s = batch.support.x.shape[1];
  const z = model.apply(perTask(params, tasks), concat([batch.support.x, batch.query.x], 1));
  const d = z.shape[2];
  return [slice(z, [0, 0, 0], [tasks, s, d]), slice(z, [0, s, 0], [tasks, -1, d])];
}

export function metricStep(model: Model, score: Scorer, params: TensorRecord, batch: TaskBatch, embedding: Embedding): MetaStep {
  const ways = waysOf(batch);
  return tidy(() => {
    const { value, grads, aux } = valueAndGradWithAux((p: TensorRecord) => {
      const [zs, zq] = embedEpisode(model, p, batch, embedding);
      const r = score(zs, batch.support.y, zq, batch.query.y, ways);
      return [r.loss, r.scores] as const;
    }, { createGraph: false })(params);
    const acc = accuracy(aux, batch.query.y);
    aux.dispose();
    return { loss: value, grads, accuracy: acc };
  });
}

export function metricEvaluate(model: Model, score: Scorer, params: TensorRecord, batch: TaskBatch, embedding: Embedding): Evaluation {
  const ways = waysOf(batch);
  return tidy(() => {
    const [zs, zq] = embedEpisode(model, params, batch, embedding);
    const r = score(zs, batch.support.y, zq, batch.query.y, ways);
    return { predictions: r.scores, loss: r.loss, accuracy: accuracy(r.scores, batch.query.y) };
  });
}

/** What a metric method keeps of the support set at adaptation, and how it scores against it. */
export interface MetricAdaptation {
  spec: AdaptationSpec;
  /** The adapted task's tensors from support embeddings [T, S, D] and labels [T, S]. */
  keep(support: Tensor, labels: Tensor, ways: number): TensorRecord;
  /** Scores [T, B, N] of embeddings [T, B, D] against what `keep` made. */
  score(kept: TensorRecord, query: Tensor, ways: number): Tensor;
  /** What `keep` made, updated with more support embeddings [T, S, D] and labels [T, S] of the same classes (where the method can). */
  accumulate?(kept: TensorRecord, support: Tensor, labels: Tensor): TensorRecord;
}

/** `MetaAlgorithm.accumulate` of a metric method: embed the new examples as predictions are, update what it keeps. */
function accumulateWith(model: Model, update: NonNullable<MetricAdaptation["accumulate"]>, name: string) {
  return (task: AdaptedTask, support: SupportSet): AdaptedTask => {
    if (support.y.dtype !== "int32") throw new KshotError(`${name} classifies: expected int32 support labels, got ${support.y.dtype}`);
    return tidy(() => {
      const z = noGrad(() => taskOutputs(model, task, support.x));
      const kept = update(task.tensors, z, support.y);
      // The new task owns its tensors: views of those it carries over unchanged (BatchNorm statistics).
      const carried = Object.fromEntries(Object.entries(task.tensors).filter(([k]) => !(k in kept)).map(([k, t]) => [k, stopGradient(t)]));
      return { ...task, tensors: { ...carried, ...kept } };
    });
  };
}

/** Checks an `embedding` option (undefined: "joint"). */
export const checkEmbedding = (owner: string, embedding: string | undefined): Embedding => checkChoice(owner, "embedding", embedding ?? "joint", EMBEDDINGS);

/**
 * A metric-based method: no inner loop, the model's own initialisation, `score` on embeddings; `options` as
 * checkpoints store them (with `embedding` added when it is not the default).
 */
export function metricAlgorithm(name: "protonet" | "matchingnet", model: Model, score: Scorer, adaptation: MetricAdaptation, options: StoredOptions = {}, embedding: Embedding = "joint"): MetaAlgorithm {
  const algo: MetaAlgorithm = {
    name,
    model,
    loss: "cross_entropy",
    options: embedding === "joint" ? options : { ...options, embedding },
    adaptation: adaptation.spec,
    init: (rng: Rng) => model.init(rng),
    step: (params: TensorRecord, batch: TaskBatch) => metricStep(model, score, params, batch, embedding),
    adapt(params: TensorRecord, support: SupportSet, options: AdaptOptions = {}): AdaptedTask {
      checkAdaptOptions(algo, options);
      const ways = waysOf(support);
      if (support.y.dtype !== "int32") throw new KshotError(`${name} classifies: expected int32 support labels, got ${support.y.dtype}`);
      return tidy(() => {
        const { outputs, statistics } = supportOutputs(model, perTask(modelParams(model, params), support.x.shape[0]), support.x, options);
        const tensors = { ...adaptation.keep(outputs, support.y, ways), ...statistics };
        // The support embeddings are what predict would compute for the support set: score them as it does.
        if (!options.supportPredictions) return { params, ways, steps: 0, tensors };
        return { params, ways, steps: 0, tensors, supportPredictions: noGrad(() => adaptation.score(tensors, outputs, ways)) };
      });
    },
    predict: (task: AdaptedTask, x: Tensor) => tidy(() => adaptation.score(task.tensors, taskOutputs(model, task, x), task.ways)),
    evaluate: (params: TensorRecord, batch: TaskBatch) => metricEvaluate(model, score, params, batch, embedding),
    ...(adaptation.accumulate ? { accumulate: accumulateWith(model, adaptation.accumulate, name) } : {}),
  };
  return algo;
}
