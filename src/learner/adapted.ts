/**
 * What the Learner makes of an algorithm's `adapt` and `predict`: class probabilities, the support loss,
 * the checkpoint's evaluation protocol as adaptation defaults, and a saved adapted task. How each
 * algorithm adapts is its own (src/meta); nothing here depends on which algorithm it is.
 */
import { noGrad, tidy } from "../engine.ts";
import type { AdaptedTask, EvaluationOptions, MetaAlgorithm, SupportSet } from "../meta/algorithm.ts";
import { log, maximum, mul } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { softmax } from "../ops/nn.ts";
import { mean, sum } from "../ops/reduce.ts";
import type { Tensor } from "../tensor.ts";

/** Class probabilities [T, B, N] of x [T, B, ...inputShape] under an adapted task. */
export function classProbabilities(algo: MetaAlgorithm, task: AdaptedTask, x: Tensor): Tensor {
  return tidy(() => probabilitiesOf(algo, noGrad(() => algo.predict(task, x))));
}

/** Class probabilities from `predict`'s outputs (logits or probabilities, as the algorithm says). */
function probabilitiesOf(algo: MetaAlgorithm, outputs: Tensor): Tensor {
  return algo.adaptation.outputs === "probabilities" ? outputs : noGrad(() => softmax(outputs, -1));
}

/**
 * −mean log p(label) of the support set under the adapted task (the cross-entropy for logits), from the
 * task's `supportPredictions` where adaptation kept them, else by predicting the support set.
 */
export function supportLoss(algo: MetaAlgorithm, task: AdaptedTask, support: SupportSet): Tensor {
  return tidy(() => {
    const p = task.supportPredictions ? probabilitiesOf(algo, task.supportPredictions) : classProbabilities(algo, task, support.x);
    return mul(mean(log(maximum(sum(mul(p, oneHot(support.y, task.ways, p.dtype)), -1), 1e-12))), -1);
  });
}

/** The options the user gave, else the checkpoint's evaluation protocol where it applies to the algorithm. */
export function withStoredDefaults(algo: MetaAlgorithm, given: EvaluationOptions, stored: EvaluationOptions): EvaluationOptions {
  const a = algo.adaptation;
  if (a.withoutSteps) return given;
  return { steps: given.steps ?? stored.steps, lr: given.lr ?? (a.withoutLr ? undefined : stored.lr) };
}

/** Whether labels are class-major with the same number of examples of each class (as episodes are laid out). */
export function isBalanced(labels: Int32Array, ways: number): boolean {
  const per = labels.length / ways;
  return Number.isInteger(per) && labels.every((label, i) => label === Math.floor(i / per));
}
