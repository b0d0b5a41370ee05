/**
 * Matching Networks (Vinyals, Blundell, Lillicrap, Kavukcuoglu, Wierstra. Matching Networks for One Shot
 * Learning. NeurIPS 2016), without full-context embeddings: attention is the softmax over cosine
 * similarities between a query and every support embedding (vectors normalised by max(‖z‖, 1e-8)); p(y) is
 * the attention on class y's support examples; loss = −mean log max(p(y), 1e-12). Adaptation keeps the
 * support embeddings and labels (`support`, `labels`); predictions are class probabilities.
 */
import { tidy } from "../engine.ts";
import { div, log, maximum, mul, sqrt, square, stopGradient } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { matmul } from "../ops/matmul.ts";
import { softmax } from "../ops/nn.ts";
import { mean, sum } from "../ops/reduce.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { AlgorithmEntry, MetaAlgorithm } from "./algorithm.ts";
import { type MetricAdaptation, metricAlgorithm } from "./metric.ts";

/** z / max(‖z‖, 1e-8) along the last axis (as torch.nn.functional.normalize). Clamped before the square
 * root, as sqrt(max(‖z‖², 1e-16)): the same value, but an all-zero embedding (a Conv-4 whose last ReLU
 * zeroed every channel) gets PyTorch's finite gradient (w / 1e-8) instead of 0·∞ = NaN through sqrt′(0). */
export function normalize(z: Tensor): Tensor {
  return tidy(() => div(z, sqrt(maximum(sum(square(z), -1, true), 1e-16))));
}

/** Class probabilities [T, Q, N]: attention over support examples, summed per class. */
export function matchingProbabilities(support: Tensor, labels: Tensor, query: Tensor, ways: number): Tensor {
  return tidy(() => {
    const attention = softmax(matmul(normalize(query), normalize(support), { transB: true }), -1);
    return matmul(attention, oneHot(labels, ways, support.dtype));
  });
}

function score(support: Tensor, labels: Tensor, query: Tensor, queryLabels: Tensor, ways: number) {
  const probabilities = matchingProbabilities(support, labels, query, ways);
  const picked = sum(mul(probabilities, oneHot(queryLabels, ways, probabilities.dtype)), -1);
  const loss = mul(mean(log(maximum(picked, 1e-12))), -1);
  return { scores: probabilities, loss };
}

const ATTENTION: MetricAdaptation = {
  spec: { kind: "matching", tensors: ["support", "labels"], outputs: "probabilities", withoutSteps: "adapts by attention over the support set, without gradient steps" },
  // A view of the labels: the task owns its tensors, the caller keeps its own.
  keep: (support, labels) => ({ support, labels: stopGradient(labels) }),
  score: (kept, query, ways) => matchingProbabilities(kept.support!, kept.labels!, query, ways),
};

/**
 * Matching Networks: classify by attention over the labelled support embeddings.
 *
 * @param model an embedding network without a head (e.g. `ks.nn.conv4({ ways: 0 })`)
 * @example
 * const algo = ks.meta.matchingNet(ks.nn.conv4({ ways: 0 }));
 * const params = algo.init(new ks.Rng(0));
 * const task = algo.adapt(params, { ...batch.support, ways: 5 });
 * const probabilities = algo.predict(task, batch.query.x);
 */
export function matchingNet(model: Model): MetaAlgorithm {
  return metricAlgorithm("matchingnet", model, score, ATTENTION);
}

export const MATCHING_NET_ENTRY: AlgorithmEntry = { head: false, regression: false, create: (model) => matchingNet(model) };
