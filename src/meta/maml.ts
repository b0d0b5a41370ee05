/**
 * MAML and its relatives: second-order MAML, first-order MAML (FOMAML), Meta-SGD (learned
 * per-parameter step sizes) and ANIL (inner loop on the head only).
 *
 * For each task t: fast = θ; repeat `innerSteps` times fast ← fast − α ∇L_support_t(fast); the meta-loss is
 * the mean over tasks of L_query_t(fast_t) and the meta-gradient its gradient with respect to θ (and α,
 * for Meta-SGD). Second order needs no special code: the inner gradients are differentiable. Adaptation
 * (`adapt`, `evaluate`) takes `evalSteps` first-order steps of `evalLr` (Meta-SGD: its learned step sizes).
 *
 * References: Finn, Abbeel, Levine. Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks.
 * ICML 2017. Li, Zhou, Chen, Li. Meta-SGD. arXiv:1707.09835. Raghu et al. Rapid Learning or Feature
 * Reuse? (ANIL). ICLR 2020.
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkNumber } from "../checks.ts";
import { full } from "../ops/creation.ts";
import type { Model } from "../nn/model.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import { checkAdaptOptions, checkHeadWays, evaluateByAdaptation, modelParams, taskOutputs, weightsTask } from "./adapted-task.ts";
import type { AdaptationSpec, AdaptOptions, AlgorithmEntry, MetaAlgorithm, MetaStep, StoredOptions, SupportSet } from "./algorithm.ts";
import { fastWeightsStep } from "./fast-weights.ts";
import { innerLoop } from "./inner-loop.ts";
import type { LossKind } from "./losses.ts";
import { perTask, pick } from "./params.ts";
import { storedField, storedLoss } from "./stored-options.ts";
import type { TaskBatch } from "./task-batch.ts";

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

/** Meta-SGD's learned step size of parameter `name` is the meta-parameter `LEARNED_LR_PREFIX + name`. */
export const LEARNED_LR_PREFIX = "lr.";

/** Checkpoints store `innerParams` as one string of names joined by this separator. */
const STORED_NAME_SEPARATOR = ",";

type MamlVariant = "maml" | "fomaml" | "metasgd" | "anil";

const WEIGHTS_ADAPTATION: AdaptationSpec = { kind: "weights", tensors: [], outputs: "logits" };
const LEARNED_LR_ADAPTATION: AdaptationSpec = { ...WEIGHTS_ADAPTATION, withoutLr: "steps with its learned per-parameter step sizes" };

function makeMaml(name: MamlVariant, model: Model, o: MamlOptions): MetaAlgorithm {
  const innerLr = o.innerLr ?? 0.4;
  const innerSteps = o.innerSteps ?? 1;
  const evalSteps = o.evalSteps ?? innerSteps;
  const evalLr = o.evalLr ?? innerLr;
  const firstOrder = o.firstOrder ?? false;
  const learnLr = o.learnLr ?? false;
  const loss = o.loss ?? "cross_entropy";
  const adapted = o.innerParams ? [...o.innerParams] : Object.keys(model.paramShapes);
  checkNumber(name, "innerLr", innerLr, "non-negative number");
  checkNumber(name, "innerSteps", innerSteps, "non-negative integer");
  checkNumber(name, "evalSteps", evalSteps, "non-negative integer");
  checkNumber(name, "evalLr", evalLr, "non-negative number");
  pick(model.paramShapes, adapted);

  const stepSizes = (p: TensorRecord, fallback: number): number | TensorRecord =>
    learnLr ? Object.fromEntries(adapted.map((k) => [k, p[LEARNED_LR_PREFIX + k]])) : fallback;

  /** Fast weights of each task after `steps` inner steps on x, y. */
  const fastWeights = (p: TensorRecord, x: Tensor, y: Tensor, steps: number, lr: number, first: boolean) =>
    innerLoop(model, perTask(modelParams(model, p), x.shape[0]), x, y, { steps, lr: stepSizes(p, lr), firstOrder: first, adapt: adapted, loss });

  const algo: MetaAlgorithm = {
    name,
    model,
    loss,
    options: { innerLr, innerSteps, evalSteps, evalLr, firstOrder, learnLr, innerParams: adapted.join(STORED_NAME_SEPARATOR) },
    adaptation: learnLr ? LEARNED_LR_ADAPTATION : WEIGHTS_ADAPTATION,
    init(rng: Rng): TensorRecord {
      const p = model.init(rng);
      if (learnLr) for (const k of adapted) p[LEARNED_LR_PREFIX + k] = full(model.paramShapes[k], innerLr);
      return p;
    },
    step: (params: TensorRecord, batch: TaskBatch): MetaStep =>
      fastWeightsStep(model, loss, (p, x, y, steps) => fastWeights(p, x, y, steps, innerLr, firstOrder), innerSteps, params, batch),
    adapt(params: TensorRecord, support: SupportSet, options: AdaptOptions = {}) {
      checkAdaptOptions(algo, options);
      checkHeadWays(algo, support.ways);
      const steps = options.steps ?? evalSteps;
      return tidy(() => {
        const fast = fastWeights(params, support.x, support.y, steps, options.lr ?? evalLr, true);
        return weightsTask(model, params, fast, support, steps, options);
      });
    },
    predict: (task, x) => tidy(() => taskOutputs(model, task, x)),
    evaluate: (params, batch, options) => evaluateByAdaptation(algo, params, batch, options),
  };
  return algo;
}

/**
 * Second-order MAML (Finn et al. 2017): meta-gradients flow through the inner gradient steps.
 *
 * @param model the network (e.g. `ks.nn.conv4({ ways: 5 })`, or `ks.nn.mlp()` for the sinusoid)
 * @param options inner step size and steps (training and evaluation), loss, the adapted parameters
 * @example
 * const algo = ks.meta.maml(ks.nn.conv4({ hidden: 64, ways: 5 }), { innerLr: 0.4, innerSteps: 1, evalSteps: 3 });
 * const params = algo.init(new ks.Rng(0));
 * const { loss, grads } = algo.step(params, batch);       // batch: ks.meta.TaskBatch of T tasks
 * const task = algo.adapt(params, { ...batch.support, ways: 5 });
 * const logits = algo.predict(task, batch.query.x);
 */
export function maml(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  return makeMaml("maml", model, { ...options, firstOrder: options.firstOrder ?? false });
}

/**
 * First-order MAML (Finn et al. 2017 §5.2): the inner gradients are treated as constants, so the
 * meta-gradient is the query gradient at the fast weights.
 *
 * @param model the network
 * @param options as `maml`'s (`firstOrder` is always true)
 * @example
 * const algo = ks.meta.fomaml(ks.nn.conv4({ ways: 5 }), { innerLr: 0.4, innerSteps: 5 });
 */
export function fomaml(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  return makeMaml("fomaml", model, { ...options, firstOrder: true });
}

/**
 * Meta-SGD (Li, Zhou, Chen, Li. Meta-SGD: Learning to Learn Quickly for Few-Shot Learning.
 * arXiv:1707.09835, 2017): a learned step size per parameter element, the meta-parameters
 * `lr.<name>`, initialised to `innerLr`. Adaptation steps with them (`lr` does not apply).
 *
 * @param model the network
 * @param options as `maml`'s (`learnLr` is always true; `innerLr` is the initial step size)
 * @example
 * const algo = ks.meta.metaSgd(ks.nn.mlp([1, 40, 40, 1]), { innerLr: 0.01, loss: "mse" });
 */
export function metaSgd(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  return makeMaml("metasgd", model, { ...options, learnLr: true });
}

/** ANIL's default inner parameters: the `head.*` parameters, else the last layer's (an MLP's last `fc`). */
function headParams(model: Model): string[] {
  const names = Object.keys(model.paramShapes);
  const head = names.filter((k) => k.startsWith("head."));
  if (head.length > 0) return head;
  const last = names.at(-1)?.split(".")[0];
  return names.filter((k) => k.split(".")[0] === last);
}

/**
 * ANIL (Raghu, Raghu, Bengio, Vinyals. Rapid Learning or Feature Reuse? Towards Understanding the
 * Effectiveness of MAML. ICLR 2020): only the head adapts in the inner loop (second order).
 *
 * @param model the network
 * @param options as `maml`'s; `innerParams` defaults to the head: the `head.*` parameters, or the last layer's
 * @example
 * const algo = ks.meta.anil(ks.nn.conv4({ ways: 5 }), { innerLr: 0.4 });   // adapts head.weight, head.bias
 */
export function anil(model: Model, options: MamlOptions = {}): MetaAlgorithm {
  const innerParams = options.innerParams ?? headParams(model);
  if (innerParams.length === 0) throw new KshotError("anil: the model has no parameters to adapt; pass innerParams");
  return makeMaml("anil", model, { ...options, innerParams });
}

/** MamlOptions from stored options (checkpoint metadata, command line). */
function storedMamlOptions(o: StoredOptions): MamlOptions {
  const num = (k: string) => storedField(o, k, "number");
  const innerParams = storedField(o, "innerParams", "string");
  return {
    innerLr: num("innerLr"), innerSteps: num("innerSteps"), evalSteps: num("evalSteps"), evalLr: num("evalLr"), loss: storedLoss(o),
    innerParams: innerParams ? innerParams.split(STORED_NAME_SEPARATOR) : undefined,
  };
}

function entry(factory: (model: Model, options: MamlOptions) => MetaAlgorithm): AlgorithmEntry {
  return { head: true, regression: true, create: (model, o) => factory(model, storedMamlOptions(o)) };
}

export const MAML_ENTRIES: Readonly<Record<MamlVariant, AlgorithmEntry>> = {
  maml: entry(maml), fomaml: entry(fomaml), metasgd: entry(metaSgd), anil: entry(anil),
};
