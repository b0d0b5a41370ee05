/**
 * Covariance-aware prototypes (Simple CNAPS: Bateni, Goyal, Masrani, Wood, Sigal. Improved Few-Shot Visual
 * Classification. CVPR 2020, eq. 5–7): a query's logit for class k is minus its squared Mahalanobis
 * distance to the class mean μ_k, (q − μ_k)ᵀ Q_k⁻¹ (q − μ_k), under
 *
 *   Q_k = λ_k Σ_k + (1 − λ_k) Σ_task + βI,   λ_k = n_k / (n_k + 1),
 *
 * Σ_k the covariance of class k's support embeddings, Σ_task that of all support embeddings (unbiased,
 * divided by n − 1; a class with one example has Σ_k = 0, where the paper's code takes the variance across
 * the features of that one embedding), β = 1 as in the paper. Q_k⁻¹ is `spdInverse` (src/ops/linalg.ts):
 * Q_k ⪰ βI, so its accuracy bound ‖Q_k‖_F / β is small for embeddings of moderate scale.
 *
 * Running estimate (kshot): `accumulateMoments` adds a batch of examples to the moments of an adapted task,
 * as when a device receives examples one batch at a time. Counts and means are exact; covariances follow
 * Σ ← α Σ + (1 − α) AᵀA / m, A the batch's m embeddings (of a class, or all of them for Σ_task) centred at
 * the updated mean. α is `decay`, or by default n_old / (n_old + m) (every example weighs the same).
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { add, cast, div, greater, maximum, mul, neg, sub } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { eye, spdInverse } from "../ops/linalg.ts";
import { matmul } from "../ops/matmul.ts";
import { mean, sum } from "../ops/reduce.ts";
import { expandDims, transpose } from "../ops/shape.ts";
import type { Tensor } from "../tensor.ts";

/** What the metric keeps of a support set: counts [T, N], means [T, N, D], covariances [T, N, D, D] and [T, D, D]. */
export interface SupportMoments {
  counts: Tensor;
  prototypes: Tensor;
  classCovariance: Tensor;
  taskCovariance: Tensor;
}

export const MOMENT_NAMES = ["counts", "prototypes", "classCovariance", "taskCovariance"] as const;

/** x [T, N] → [T, N, 1, 1], to scale a batch of matrices. */
const perMatrix = (x: Tensor) => expandDims(expandDims(x, -1), -1);

/** Σ_i∈k a_i a_iᵀ for every class k: centred embeddings [T, S, D], one-hot labels [T, S, N] → [T, N, D, D]. */
function classScatter(centred: Tensor, onehot: Tensor): Tensor {
  const rows = expandDims(centred, 1);
  return matmul(mul(expandDims(transpose(onehot, [0, 2, 1]), -1), rows), rows, { transA: true });
}

/** Counts, means and covariances of support embeddings [T, S, D] with labels [T, S] (see the file header). */
export function supportMoments(z: Tensor, labels: Tensor, ways: number): SupportMoments {
  return tidy(() => {
    const onehot = oneHot(labels, ways, z.dtype);
    const counts = sum(onehot, 1);
    const prototypes = div(matmul(onehot, z, { transA: true }), expandDims(counts, -1));
    const scatter = classScatter(sub(z, matmul(onehot, prototypes)), onehot);
    const classCovariance = div(scatter, perMatrix(maximum(sub(counts, 1), 1)));
    const centred = sub(z, mean(z, 1, true));
    const taskCovariance = div(matmul(centred, centred, { transA: true }), Math.max(z.shape[1]! - 1, 1));
    return { counts, prototypes, classCovariance, taskCovariance };
  });
}

/** Q_k⁻¹ [T, N, D, D]: each class's shrunk covariance plus the ridge βI, inverted. */
export function precisions(m: SupportMoments, ridge: number): Tensor {
  return tidy(() => {
    const lambda = perMatrix(div(m.counts, add(m.counts, 1)));
    const shared = mul(sub(1, lambda), expandDims(m.taskCovariance, 1));
    const d = m.taskCovariance.shape.at(-1)!;
    return spdInverse(add(add(mul(lambda, m.classCovariance), shared), mul(eye(d, m.counts.dtype), ridge)));
  });
}

/** −(q − μ_k)ᵀ P_k (q − μ_k) for every query and class: [T, Q, D], [T, N, D], [T, N, D, D] → [T, Q, N]. */
export function negativeMahalanobis(query: Tensor, means: Tensor, precision: Tensor): Tensor {
  return tidy(() => {
    const diff = sub(expandDims(query, 1), expandDims(means, 2));
    return neg(transpose(sum(mul(matmul(diff, precision), diff), -1), [0, 2, 1]));
  });
}

/** The moments after adding embeddings z [T, S, D] with labels [T, S] of the same classes (see the file header). */
export function accumulateMoments(m: SupportMoments, z: Tensor, labels: Tensor, decay: number | undefined): SupportMoments {
  return tidy(() => {
    const ways = m.counts.shape[1]!;
    const onehot = oneHot(labels, ways, z.dtype);
    const added = sum(onehot, 1);
    const counts = add(m.counts, added);
    const totals = add(mul(m.prototypes, expandDims(m.counts, -1)), matmul(onehot, z, { transA: true }));
    const prototypes = div(totals, expandDims(counts, -1));
    const scatter = classScatter(sub(z, matmul(onehot, prototypes)), onehot);
    // A class absent from the batch keeps its covariance (α = 1).
    const alpha = decay === undefined ? div(m.counts, counts) : add(mul(cast(greater(added, 0), z.dtype), decay - 1), 1);
    const batchCovariance = div(scatter, perMatrix(maximum(added, 1)));
    const classCovariance = add(mul(perMatrix(alpha), m.classCovariance), mul(perMatrix(sub(1, alpha)), batchCovariance));
    const taskMean = div(sum(totals, 1, true), expandDims(sum(counts, 1, true), -1));
    const centred = sub(z, taskMean);
    const taskAlpha = decay ?? expandDims(div(sum(m.counts, 1, true), sum(counts, 1, true)), -1);
    const batchTask = div(matmul(centred, centred, { transA: true }), z.shape[1]!);
    const rest = typeof taskAlpha === "number" ? 1 - taskAlpha : sub(1, taskAlpha);
    const taskCovariance = add(mul(taskAlpha, m.taskCovariance), mul(rest, batchTask));
    return { counts, prototypes, classCovariance, taskCovariance };
  });
}

/** The moments an adapted task holds, by name. */
export function momentsOf(kept: TensorRecord): SupportMoments {
  return { counts: kept.counts!, prototypes: kept.prototypes!, classCovariance: kept.classCovariance!, taskCovariance: kept.taskCovariance! };
}
