/**
 * Prototypical Networks (Snell, Swersky, Zemel. Prototypical Networks for Few-shot Learning. NeurIPS
 * 2017). Each class's prototype is the mean of its support embeddings; a query's logits are minus its
 * squared Euclidean distances to the prototypes. Adaptation keeps the prototypes (`prototypes` [T, N, D]).
 */
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { add, div, mul, neg, square, sub } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { matmul } from "../ops/matmul.ts";
import { sum } from "../ops/reduce.ts";
import { expandDims } from "../ops/shape.ts";
import type { Model } from "../nn/model.ts";
import type { Tensor } from "../tensor.ts";
import type { AlgorithmEntry, MetaAlgorithm } from "./algorithm.ts";
import { meanTaskLoss } from "./losses.ts";
import { type MetricAdaptation, metricAlgorithm } from "./metric.ts";
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

export interface ProtonetOptions {
  /** An auxiliary self-supervised loss of meta-training: "rotation" (Gidaris et al. 2019) or "none" (default). */
  auxiliary?: "rotation" | "none";
  /** The auxiliary loss's weight α (default 1, Gidaris et al. 2019). */
  rotationWeight?: number;
}

/**
 * Prototypical Networks: classify by the nearest class mean in the embedding space.
 *
 * @param model an embedding network without a head (e.g. `ks.nn.conv4({ ways: 0 })`)
 * @param options `auxiliary: "rotation"` adds rotation prediction to meta-training (src/meta/rotation-auxiliary.ts)
 * @example
 * const algo = ks.meta.protonet(ks.nn.conv4({ ways: 0 }));
 * const params = algo.init(new ks.Rng(0));
 * const { loss, grads } = algo.step(params, batch);
 * const task = algo.adapt(params, { ...batch.support, ways: 5 });   // the prototypes
 * const logits = algo.predict(task, batch.query.x);
 */
export function protonet(model: Model, options: ProtonetOptions = {}): MetaAlgorithm {
  const algo = metricAlgorithm("protonet", model, score, PROTOTYPES);
  const auxiliary = options.auxiliary ?? "none";
  if (auxiliary !== "rotation" && auxiliary !== "none") throw new KshotError(`protonet: expected auxiliary "rotation" or "none", got ${JSON.stringify(auxiliary)}`);
  return auxiliary === "rotation" ? withRotation(algo, { weight: options.rotationWeight }) : algo;
}

export const PROTONET_ENTRY: AlgorithmEntry = {
  head: false,
  regression: false,
  create: (model, o) => protonet(model, { auxiliary: storedChoice(o, "auxiliary", ["rotation", "none"] as const), rotationWeight: storedField(o, "rotationWeight", "number") }),
};
