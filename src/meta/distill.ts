/**
 * Knowledge distillation on episodes (Hinton, Vinyals, Dean. Distilling the Knowledge in a Neural Network.
 * NIPS Deep Learning Workshop 2015). A meta-trained teacher and a smaller student see the same episodes;
 * the student learns from the teacher's query logits softened by a temperature T, plus the hard labels:
 *
 *   loss = T² · KL(softmax(t / T) ‖ softmax(s / T)) + hardWeight · CE(s, y)
 *
 * (§2: the soft term's gradients scale as 1/T², hence the T² factor). Logits are the algorithms' episode
 * outputs [T, Q, N]; an algorithm that outputs class probabilities (Matching Net) gives its log-probabilities.
 *
 * The distillation algorithm is the student with another `step`: it adapts, predicts, evaluates and is
 * stored exactly as the student (its name and options), so a distilled checkpoint loads like any other.
 */
import { type TensorRecord, valueAndGradWithAux } from "../autograd.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkNumber } from "../checks.ts";
import { add, div, log, maximum, mul, stopGradient, sub } from "../ops/elementwise.ts";
import { logSoftmax, softmax } from "../ops/nn.ts";
import { mean, sum } from "../ops/reduce.ts";
import type { Tensor } from "../tensor.ts";
import type { MetaAlgorithm, MetaStep } from "./algorithm.ts";
import { accuracy, meanTaskLoss } from "./losses.ts";
import type { TaskBatch } from "./task-batch.ts";

/**
 * The published setting. T = 4: for small students Hinton et al. (§3, MNIST) found temperatures of 2.5 to
 * 4 to work best (a 16-filter Conv-4 is small). hardWeight 0.5: the relative weight on the hard-target
 * cross-entropy of their speech experiments (§4).
 */
export const DISTILLATION_DEFAULTS = { temperature: 4, hardWeight: 0.5 } as const;

export interface DistillationOptions {
  /** Softmax temperature T of both teacher and student logits (> 0). Default 4. */
  temperature?: number;
  /** Weight of the student's cross-entropy on the true labels (≥ 0). Default 0.5. */
  hardWeight?: number;
}

/** A meta-trained teacher: its algorithm and meta-parameters (borrowed, never changed or disposed). */
export interface Teacher {
  algorithm: MetaAlgorithm;
  params: TensorRecord;
}

/** The settings, checked (KshotError naming what came). */
export function distillationSettings(o: DistillationOptions = {}): Required<DistillationOptions> {
  const s = { temperature: o.temperature ?? DISTILLATION_DEFAULTS.temperature, hardWeight: o.hardWeight ?? DISTILLATION_DEFAULTS.hardWeight };
  checkNumber("distill", "temperature", s.temperature, "positive number");
  checkNumber("distill", "hardWeight", s.hardWeight, "non-negative number");
  return s;
}

/** Episode logits of an algorithm's predictions: logits as they are, probabilities as log max(p, 1e-12). */
export function episodeLogits(algo: Pick<MetaAlgorithm, "adaptation">, predictions: Tensor): Tensor {
  return algo.adaptation.outputs === "probabilities" ? log(maximum(predictions, 1e-12)) : predictions;
}

/**
 * T² · KL(softmax(teacher / T) ‖ softmax(student / T)), averaged over every query of every task.
 * Logits [T, Q, N]; the teacher's are constants.
 */
export function softTargetLoss(student: Tensor, teacher: Tensor, temperature: number): Tensor {
  return tidy(() => {
    const t = stopGradient(div(teacher, temperature));
    const kl = sum(mul(softmax(t, -1), sub(logSoftmax(t, -1), logSoftmax(div(student, temperature), -1))), -1);
    return mul(mean(kl), temperature * temperature);
  });
}

/** The whole distillation loss of Hinton et al. on episode logits (see the module comment). */
export function distillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, o: DistillationOptions = {}): Tensor {
  const { temperature, hardWeight } = distillationSettings(o);
  return tidy(() => {
    const soft = softTargetLoss(student, teacher, temperature);
    return hardWeight === 0 ? soft : add(soft, mul(meanTaskLoss("cross_entropy", student, labels), hardWeight));
  });
}

function checkPair(teacher: Teacher, student: MetaAlgorithm): void {
  for (const [who, a] of [["teacher", teacher.algorithm], ["student", student]] as const) {
    if (a.loss !== "cross_entropy") throw new KshotError(`distill: the ${who} must classify, got ${a.name} with ${a.loss} loss`);
  }
  // The student's logits must be a differentiable function of its meta-parameters: its evaluation adapts
  // without gradient steps (the metric methods); an inner loop's evaluation is not differentiated through.
  if (!student.adaptation.withoutSteps) {
    throw new KshotError(`distill: the student must adapt without gradient steps (protonet, matchingnet), got ${student.name}`);
  }
  const [a, b] = [teacher.algorithm.model.inputShape, student.model.inputShape];
  if (a.join() !== b.join()) throw new KshotError(`distill: the teacher takes inputs [${a.join(", ")}], the student [${b.join(", ")}]`);
}

/**
 * The student trained to match the teacher's episode logits: `step` is the distillation loss and its
 * gradient; everything else is the student's.
 *
 * @param teacher the meta-trained teacher (any classifying algorithm; its evaluation gives the targets)
 * @param student the student algorithm on a smaller model (a metric method: ProtoNet, Matching Net)
 * @param options temperature T (default 4) and the hard loss's weight (default 0.5), Hinton et al. 2015
 * @example
 * const teacher = { algorithm: ks.meta.protonet(ks.nn.conv4({ ways: 0 })), params: teacherParams };
 * const algo = ks.meta.distillation(teacher, ks.meta.protonet(ks.nn.conv4({ hidden: 16, ways: 0 })));
 * const { loss, grads } = algo.step(studentParams, batch);
 */
export function distillation(teacher: Teacher, student: MetaAlgorithm, options: DistillationOptions = {}): MetaAlgorithm {
  const settings = distillationSettings(options);
  checkPair(teacher, student);
  return {
    ...student,
    step(params: TensorRecord, batch: TaskBatch): MetaStep {
      return tidy(() => {
        const target = noGrad(() => episodeLogits(teacher.algorithm, teacher.algorithm.evaluate(teacher.params, batch).predictions));
        const { value, grads, aux } = valueAndGradWithAux((p: TensorRecord) => {
          const logits = episodeLogits(student, student.evaluate(p, batch).predictions);
          return [distillationLoss(logits, target, batch.query.y, settings), logits] as const;
        }, { createGraph: false })(params);
        const acc = accuracy(aux, batch.query.y);
        aux.dispose();
        return { loss: value, grads, accuracy: acc };
      });
    },
  };
}
