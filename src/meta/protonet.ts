/**
 * Prototypical Networks (Snell, Swersky, Zemel. Prototypical Networks for Few-shot Learning. NeurIPS
 * 2017). Each class's prototype is the mean of its support embeddings; a query's logits are minus its
 * squared Euclidean distances to the prototypes. Adaptation keeps the prototypes (`prototypes` [T, N, D]).
 * With `metric: "mahalanobis"` the distances are Mahalanobis under shrunk class covariances (Simple CNAPS;
 * src/meta/mahalanobis.ts), and adaptation keeps the moments and precisions.
 */
import { checkChoice, checkNumber } from "../checks.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { add, div, mul, neg, square, sub } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { matmul } from "../ops/matmul.ts";
import { sum } from "../ops/reduce.ts";
import { expandDims } from "../ops/shape.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { AlgorithmEntry, MetaAlgorithm, StoredOptions } from "./algorithm.ts";
import { meanTaskLoss } from "./losses.ts";
import { MOMENT_NAMES, type SupportMoments, accumulateMoments, momentsOf, negativeMahalanobis, precisions, supportMoments } from "./mahalanobis.ts";
import { EMBEDDINGS, type Embedding, type MetricAdaptation, type Scorer, checkEmbedding, metricAlgorithm } from "./metric.ts";
import { withRotation } from "./rotation-auxiliary.ts";
import { storedChoice, storedField } from "./stored-options.ts";

/** Class means of support embeddings: [T, S, D], labels [T, S] → [T, N, D]. */
export function prototypes(support: Tensor, labels: Tensor, ways: number): Tensor {
  return tidy(() => {
    const onehot = oneHot(labels, ways, support.dtype);
    const counts = sum(onehot, 1);
    return div(matmul(onehot, support, { transA: true }), expandDims(counts, -1));
  });
}

/** −‖q − p‖² for every query and prototype: [T, Q, D], [T, N, D] → [T, Q, N]. */
export function negativeSquaredDistances(query: Tensor, protos: Tensor): Tensor {
  return tidy(() => {
    const qq = sum(square(query), -1, true);
    const pp = expandDims(sum(square(protos), -1), 1);
    const qp = matmul(query, protos, { transB: true });
    return neg(add(sub(qq, mul(qp, 2)), pp));
  });
}

function score(support: Tensor, labels: Tensor, query: Tensor, queryLabels: Tensor, ways: number) {
  const scores = negativeSquaredDistances(query, prototypes(support, labels, ways));
  return { scores, loss: meanTaskLoss("cross_entropy", scores, queryLabels) };
}

const PROTOTYPES: MetricAdaptation = {
  spec: { kind: "prototypes", tensors: ["prototypes"], outputs: "logits", withoutSteps: "adapts by class prototypes, without gradient steps" },
  keep: (support, labels, ways) => ({ prototypes: prototypes(support, labels, ways) }),
  score: (kept, query) => negativeSquaredDistances(query, kept.prototypes!),
};

export const PROTONET_METRICS = ["euclidean", "mahalanobis"] as const;
/** ProtoNet's auxiliary losses of meta-training. */
const AUXILIARY_LOSSES = ["rotation", "none"] as const;
export type ProtonetMetric = (typeof PROTONET_METRICS)[number];

/** Simple CNAPS's ridge β (Bateni et al. 2020, eq. 6). */
export const SIMPLE_CNAPS_RIDGE = 1;

export interface ProtonetOptions {
  /** An auxiliary self-supervised loss of meta-training: "rotation" (Gidaris et al. 2019) or "none" (default). */
  auxiliary?: "rotation" | "none";
  /** The auxiliary loss's weight α (default 1, Gidaris et al. 2019). */
  rotationWeight?: number;
  /** "euclidean" (Snell et al., the default) or "mahalanobis" (Simple CNAPS: shrunk class covariances). */
  metric?: ProtonetMetric;
  /** Mahalanobis: β of the ridge βI added to every class's covariance (default 1, as Simple CNAPS). */
  ridge?: number;
  /**
   * Mahalanobis: α of the running covariance estimate Σ ← αΣ + (1 − α)AᵀA/m when `accumulate` adds examples
   * to an adapted task (the Learner's `adapt(x, y, { accumulate: true })`), in [0, 1); default
   * n_old / (n_old + m), so every example weighs the same.
   */
  covarianceDecay?: number;
  /**
   * Support and query through the network in one batch ("joint", default: one set of BatchNorm statistics,
   * as the authors' code) or each in a batch of its own ("separate").
   */
  embedding?: Embedding;
}

const withPrecision = (m: SupportMoments, ridge: number) => ({ ...m, precision: precisions(m, ridge) });

function mahalanobisScore(ridge: number): Scorer {
  return (support, labels, query, queryLabels, ways) => {
    const m = supportMoments(support, labels, ways);
    const scores = negativeMahalanobis(query, m.prototypes, precisions(m, ridge));
    return { scores, loss: meanTaskLoss("cross_entropy", scores, queryLabels) };
  };
}

function covarianceAdaptation(ridge: number, decay: number | undefined): MetricAdaptation {
  return {
    spec: { kind: "mahalanobis", tensors: [...MOMENT_NAMES, "precision"], outputs: "logits", withoutSteps: "adapts by class means and covariances, without gradient steps" },
    keep: (support, labels, ways) => withPrecision(supportMoments(support, labels, ways), ridge),
    score: (kept, query) => negativeMahalanobis(query, kept.prototypes!, kept.precision!),
    accumulate: (kept, support, labels) => withPrecision(accumulateMoments(momentsOf(kept), support, labels, decay), ridge),
  };
}

function checkOptions(o: ProtonetOptions): { metric: ProtonetMetric; ridge: number; covarianceDecay?: number } {
  const metric = checkChoice("protonet", "metric", o.metric ?? "euclidean", PROTONET_METRICS);
  const ridge = checkNumber("protonet", "ridge", o.ridge ?? SIMPLE_CNAPS_RIDGE, "positive number");
  const decay = o.covarianceDecay;
  if (decay !== undefined && !(decay >= 0 && decay < 1)) throw new KshotError(`protonet: expected covarianceDecay in [0, 1), got ${decay}`);
  if (metric === "euclidean" && (o.ridge !== undefined || decay !== undefined)) {
    throw new KshotError("protonet: ridge and covarianceDecay apply to metric \"mahalanobis\" only");
  }
  return { metric, ridge, covarianceDecay: decay };
}

/**
 * Prototypical Networks: classify by the nearest class mean in the embedding space, by Euclidean distance
 * (Snell et al. 2017) or by Mahalanobis distance under shrunk class covariances (`metric: "mahalanobis"`,
 * Bateni et al. 2020, Simple CNAPS).
 *
 * @param model an embedding network without a head (e.g. `ks.nn.conv4({ ways: 0 })`)
 * @param options the metric, and for Mahalanobis the ridge β and the running estimate's decay
 *   (see ProtonetOptions); `embedding`: support and query in one batch (default) or in two; `auxiliary: "rotation"` adds rotation prediction to meta-training
 *   (src/meta/rotation-auxiliary.ts)
 * @example
 * const algo = ks.meta.protonet(ks.nn.conv4({ ways: 0 }));
 * const params = algo.init(new ks.Rng(0));
 * const { loss, grads } = algo.step(params, batch);
 * const task = algo.adapt(params, { ...batch.support, ways: 5 });   // the prototypes
 * const logits = algo.predict(task, batch.query.x);
 * const cnaps = ks.meta.protonet(ks.nn.conv4({ ways: 0 }), { metric: "mahalanobis" });
 */
export function protonet(model: Model, options: ProtonetOptions = {}): MetaAlgorithm {
  const o = checkOptions(options);
  const stored: StoredOptions = { metric: o.metric, ridge: o.ridge, ...(o.covarianceDecay !== undefined ? { covarianceDecay: o.covarianceDecay } : {}) };
  const embedding = checkEmbedding("protonet", options.embedding);
  const algo = o.metric === "euclidean"
    ? metricAlgorithm("protonet", model, score, PROTOTYPES, { metric: o.metric }, embedding)
    : metricAlgorithm("protonet", model, mahalanobisScore(o.ridge), covarianceAdaptation(o.ridge, o.covarianceDecay), stored, embedding);
  const auxiliary = checkChoice("protonet", "auxiliary", options.auxiliary ?? "none", AUXILIARY_LOSSES);
  return auxiliary === "rotation" ? withRotation(algo, { weight: options.rotationWeight }) : algo;
}

export const PROTONET_ENTRY: AlgorithmEntry = {
  head: false,
  regression: false,
  create: (model, o: StoredOptions) => protonet(model, {
    metric: storedChoice(o, "metric", PROTONET_METRICS), ridge: storedField(o, "ridge", "number"), covarianceDecay: storedField(o, "covarianceDecay", "number"),
    auxiliary: storedChoice(o, "auxiliary", AUXILIARY_LOSSES), rotationWeight: storedField(o, "rotationWeight", "number"),
    embedding: storedChoice(o, "embedding", EMBEDDINGS),
  }),
};
