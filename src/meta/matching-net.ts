/**
 * Matching Networks (Vinyals, Blundell, Lillicrap, Kavukcuoglu, Wierstra. Matching Networks for One Shot
 * Learning. NeurIPS 2016), without full-context embeddings: attention is the softmax over cosine
 * similarities between a query and every support embedding; p(y) is the attention on class y's support
 * examples; loss = −mean log max(p(y), 1e-12). Adaptation keeps the support embeddings and labels
 * (`support`, `labels`); predictions are class probabilities.
 *
 * The cosine form (`normalize`):
 * - "support" (default): only the support embeddings are scaled to unit length, so the logits are
 *   ‖f(x̂)‖·cos(f(x̂), g(xᵢ)) and the query's norm acts as a learned softmax temperature. This is what the
 *   widely used reference implementations compute (AntreasAntoniou/MatchingNetworks, TensorFlow, and its
 *   PyTorch port gitabcworld/MatchingNetworks: `DistanceNetwork` multiplies the dot product by the support
 *   magnitude's rsqrt only), and the form that reaches the paper's Omniglot accuracy in few iterations.
 * - "both": the paper's equation (1) read literally, a true cosine: logits in [−1, 1], so the softmax over
 *   5 support examples can never be sharp and learning is slow.
 */
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { div, log, maximum, mul, sqrt, square, stopGradient } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { matmul } from "../ops/matmul.ts";
import { softmax } from "../ops/nn.ts";
import { mean, sum } from "../ops/reduce.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { AlgorithmEntry, MetaAlgorithm } from "./algorithm.ts";
import { EMBEDDINGS, type Embedding, type MetricAdaptation, checkEmbedding, metricAlgorithm, type Scorer } from "./metric.ts";
import { storedChoice } from "./stored-options.ts";

/** Which embeddings the cosine similarity scales to unit length (see the module comment). */
export type CosineNormalization = "support" | "both";
export const COSINE_NORMALIZATIONS: readonly CosineNormalization[] = ["support", "both"];
const DEFAULT_NORMALIZATION: CosineNormalization = "support";

export interface MatchingNetOptions {
  /** "support" (default, the reference implementations) or "both" (a true cosine, logits in [−1, 1]). */
  normalize?: CosineNormalization;
  /** Support and query through the network in one batch ("joint", default) or each alone ("separate"). */
  embedding?: Embedding;
}

/** z / max(‖z‖, 1e-8) along the last axis (as torch.nn.functional.normalize). Clamped before the square
 * root, as sqrt(max(‖z‖², 1e-16)): the same value, but an all-zero embedding (a Conv-4 whose last ReLU
 * zeroed every channel) gets PyTorch's finite gradient (w / 1e-8) instead of 0·∞ = NaN through sqrt′(0). */
export function normalize(z: Tensor): Tensor {
  return tidy(() => div(z, sqrt(maximum(sum(square(z), -1, true), 1e-16))));
}

/** Class probabilities [T, Q, N]: attention over support examples, summed per class. */
export function matchingProbabilities(support: Tensor, labels: Tensor, query: Tensor, ways: number, form: CosineNormalization = DEFAULT_NORMALIZATION): Tensor {
  return tidy(() => {
    const q = form === "both" ? normalize(query) : query;
    const attention = softmax(matmul(q, normalize(support), { transB: true }), -1);
    return matmul(attention, oneHot(labels, ways, support.dtype));
  });
}

function scorer(form: CosineNormalization): Scorer {
  return (support, labels, query, queryLabels, ways) => {
    const probabilities = matchingProbabilities(support, labels, query, ways, form);
    const picked = sum(mul(probabilities, oneHot(queryLabels, ways, probabilities.dtype)), -1);
    const loss = mul(mean(log(maximum(picked, 1e-12))), -1);
    return { scores: probabilities, loss };
  };
}

function attention(form: CosineNormalization): MetricAdaptation {
  return {
    spec: { kind: "matching", tensors: ["support", "labels"], outputs: "probabilities", withoutSteps: "adapts by attention over the support set, without gradient steps" },
    // A view of the labels: the task owns its tensors, the caller keeps its own.
    keep: (support, labels) => ({ support, labels: stopGradient(labels) }),
    score: (kept, query, ways) => matchingProbabilities(kept.support!, kept.labels!, query, ways, form),
  };
}

/**
 * Matching Networks: classify by attention over the labelled support embeddings.
 *
 * @param model an embedding network without a head (e.g. `ks.nn.conv4({ ways: 0 })`)
 * @param options `normalize`: the cosine form, "support" (default) or "both" (see the module comment);
 *   `embedding`: support and query in one batch (default) or in two (src/meta/metric.ts)
 * @example
 * const algo = ks.meta.matchingNet(ks.nn.conv4({ ways: 0 }));          // or { normalize: "both" }
 * const params = algo.init(new ks.Rng(0));
 * const task = algo.adapt(params, { ...batch.support, ways: 5 });
 * const probabilities = algo.predict(task, batch.query.x);
 */
export function matchingNet(model: Model, options: MatchingNetOptions = {}): MetaAlgorithm {
  const form = options.normalize ?? DEFAULT_NORMALIZATION;
  if (!COSINE_NORMALIZATIONS.includes(form)) {
    throw new KshotError(`matchingNet: normalize must be ${COSINE_NORMALIZATIONS.map((c) => JSON.stringify(c)).join(" or ")}, got ${JSON.stringify(form)}`);
  }
  const embedding = checkEmbedding("matchingNet", options.embedding);
  return metricAlgorithm("matchingnet", model, scorer(form), attention(form), { normalize: form }, embedding);
}

export const MATCHING_NET_ENTRY: AlgorithmEntry = {
  head: false,
  regression: false,
  // Checkpoints written before the option existed computed "both": a missing key keeps that form.
  create: (model, o) => matchingNet(model, { normalize: storedChoice(o, "normalize", COSINE_NORMALIZATIONS) ?? "both", embedding: storedChoice(o, "embedding", EMBEDDINGS) }),
};
