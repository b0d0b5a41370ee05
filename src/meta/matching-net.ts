/**
 * Matching Networks (Vinyals et al. NeurIPS 2016), without full-context embeddings: attention is the
 * softmax over cosine similarities between a query and every support embedding (vectors normalised by
 * max(‖z‖, 1e-8)); p(y) is the attention on class y's support examples; loss = −mean log max(p(y), 1e-12).
 *
 * @example
 * const algo = ks.meta.matchingNet(ks.nn.conv4({ ways: 0 }));
 */
import { tidy } from "../engine.ts";
import { div, log, maximum, mul, sqrt, square } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { matmul } from "../ops/matmul.ts";
import { softmax } from "../ops/nn.ts";
import { mean, sum } from "../ops/reduce.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { MetaAlgorithm } from "./algorithm.ts";
import { metricAlgorithm } from "./metric.ts";

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

export function matchingNet(model: Model): MetaAlgorithm {
  return metricAlgorithm("matchingnet", model, score);
}
