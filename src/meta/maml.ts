/**
 * MAML and its relatives: second-order MAML, first-order MAML (FOMAML), Meta-SGD (learned
 * per-parameter step sizes) and ANIL (inner loop on the head only).
 *
 * For each task t: fast = θ; repeat `innerSteps` times fast ← fast − α ∇L_support_t(fast); the meta-loss is
 * the mean over tasks of L_query_t(fast_t) and the meta-gradient its gradient with respect to θ (and α,
 * for Meta-SGD). Second order needs no special code: the inner gradients are differentiable.
 *
 * References: Finn, Abbeel, Levine. Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks.
 * ICML 2017. Li, Zhou, Chen, Li. Meta-SGD. arXiv:1707.09835. Raghu et al. Rapid Learning or Feature
 * Reuse? (ANIL). ICLR 2020.
 *
 * @example
 * const algo = ks.meta.maml(ks.nn.conv4({ hidden: 64, ways: 5 }), { innerLr: 0.4, innerSteps: 1 });
 * const params = algo.init(new ks.Rng(0));
 * const { loss, grads } = algo.step(params, batch);   // batch: ks.meta.TaskBatch of T tasks
 */
import { type TensorRecord, valueAndGradWithAux } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { full } from "../ops/creation.ts";
import type { Model } from "../nn/model.ts";
import type { Rng } from "../rng.ts";
import type { EvaluationOptions, MetaAlgorithm, MetaStep } from "./algorithm.ts";
import { innerLoop } from "./inner-loop.ts";
import { accuracy, type LossKind, meanTaskLoss } from "./losses.ts";
import { perTask, pick } from "./params.ts";
import { type TaskBatch, taskCount } from "./task-batch.ts";

export interface MamlOptions {
  /** Inner-loop step size α (Meta-SGD: the initial value of every learned step size). Default 0.4. */
  innerLr?: number;
  /** Inner-loop steps during meta-training. Default 1. */
  innerSteps?: number;
  /** Inner-loop steps at evaluation. Default: innerSteps. */
  evalSteps?: number;
  /** Inner-loop step size at evaluation. Default: innerLr. */
  evalLr?: number;
  /** Treat inner gradients as constants (FOMAML). Default false. */
  firstOrder?: boolean;
  /** Learn a step size per parameter element (Meta-SGD). Default false. */
  learnLr?: boolean;
  /** Names of the parameters the inner loop adapts; default all (ANIL: the head). */
  innerParams?: readonly string[];
  /** Loss; default cross_entropy. */
  loss?: LossKind;
}

const LR_PREFIX = "lr.";

function checkPositive(name: string, v: number, integer: boolean): void {
  if (!(v >= (integer ? 0 : 0)) || (integer && !Number.isInteger(v)) || !Number.isFinite(v)) {
    throw new KshotError(`maml: ${name} must be a ${integer ? "non-negative integer" : "non-negative number"}, got ${v}`);
  }
}

function makeMaml(name: "maml" | "fomaml" | "metasgd" | "anil", model: Model, o: MamlOptions): MetaAlgorithm {
  const innerLr = o.innerLr ?? 0.4;
  const innerSteps = o.innerSteps ?? 1;
  const evalSteps = o.evalSteps ?? innerSteps;
  const evalLr = o.evalLr ?? innerLr;
  const firstOrder = o.firstOrder ?? false;
  const learnLr = o.learnLr ?? false;
  const loss = o.loss ?? "cross_entropy";
  const adapt = o.innerParams ? [...o.innerParams] : Object.keys(model.paramShapes);
  checkPositive("innerLr", innerLr, false);
  checkPositive("innerSteps", innerSteps, true);
  checkPositive("evalSteps", evalSteps, true);
  checkPositive("evalLr", evalLr, false);
  pick(model.paramShapes, adapt);

  const modelParams = (p: TensorRecord) => pick(p, Object.keys(model.paramShapes));
  const stepSizes = (p: TensorRecord, fallback: number): number | TensorRecord =>
    learnLr ? Object.fromEntries(adapt.map((k) => [k, p[LR_PREFIX + k]])) : fallback;

  /** Mean query loss after adapting each task, as a function of all meta-parameters. */
  function queryLoss(p: TensorRecord, batch: TaskBatch, steps: number, lr: number, first: boolean) {
    const tasks = taskCount(batch);
    const fast = innerLoop(model, perTask(modelParams(p), tasks), batch.support.x, batch.support.y, {
      steps, lr: stepSizes(p, lr), firstOrder: first, adapt, loss,
    });
    const predictions = model.apply(fast, batch.query.x);
    return { fast, predictions, loss: meanTaskLoss(loss, predictions, batch.query.y) };
  }

  return {
    name,
    model,
    loss,
    options: { innerLr, innerSteps, evalSteps, evalLr, firstOrder, learnLr, innerParams: adapt.join(",") },
    init(rng: Rng): TensorRecord {
      const p = model.init(rng);
      if (learnLr) for (const k of adapt) p[LR_PREFIX + k] = full(model.paramShapes[k], innerLr);
      return p;
    },
    step(params: TensorRecord, batch: TaskBatch): MetaStep {
      return tidy(() => {
        const { value, grads, aux } = valueAndGradWithAux((p: TensorRecord) => {
          const r = queryLoss(p, batch, innerSteps, innerLr, firstOrder);
          return [r.loss, { fast: r.fast, predictions: r.predictions }] as const;
        }, { createGraph: false })(params);
        const acc = loss === "cross_entropy" ? accuracy(aux.predictions, batch.query.y) : undefined;
        aux.predictions.dispose();
        return { loss: value, grads, adapted: aux.fast, accuracy: acc };
      });
    },
    evaluate(params: TensorRecord, batch: TaskBatch, options: EvaluationOptions = {}) {
      return tidy(() => {
        const r = queryLoss(params, batch, options.steps ?? evalSteps, options.lr ?? evalLr, true);
        const acc = loss === "cross_entropy" ? accuracy(r.predictions, batch.query.y) : undefined;
        return { predictions: r.predictions, loss: r.loss, accuracy: acc };
      });
    },
  };
}

/** Second-order MAML (Finn et al. 2017). */
export function maml(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  return makeMaml("maml", model, { ...options, firstOrder: options.firstOrder ?? false });
}

/** First-order MAML: the inner gradients are treated as constants. */
export function fomaml(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  return makeMaml("fomaml", model, { ...options, firstOrder: true });
}

/** Meta-SGD: a learned step size per parameter element, initialised to `innerLr` (Li et al. 2017). */
export function metaSgd(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  return makeMaml("metasgd", model, { ...options, learnLr: true });
}

/** ANIL: only the head adapts in the inner loop (second order); default innerParams: the `head.*` parameters. */
export function anil(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  const head = Object.keys(model.paramShapes).filter((k) => k.startsWith("head."));
  const innerParams = options.innerParams ?? head;
  if (innerParams.length === 0) throw new KshotError("anil: the model has no head.* parameters; pass innerParams");
  return makeMaml("anil", model, { ...options, innerParams });
}
