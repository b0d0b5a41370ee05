/**
 * The coordinate-wise LSTM optimizer of Andrychowicz et al. 2016 as a few-shot method: adaptation is
 * `innerSteps` steps of the LSTM optimizer on the support set (θ ← θ + LSTM(∇̃), a hidden state per
 * coordinate), and meta-training learns the LSTM's weights by the query loss after those steps, with the
 * support gradients as constants (the paper's §2.1 approximation). The learner's initialisation is learned
 * with them, as the Meta-Learner LSTM learns it (Ravi & Larochelle 2017), so the method meta-trains like
 * the others from `kshot train`. For the paper's own setting (fresh optimizees, truncated BPTT) see
 * `ks.optim.trainLearnedOptimizer`.
 *
 * Meta-parameters: the model's parameters and the LSTM optimizer's weights under `l2l.` (`l2l.lstm.weight_ih_l0`,
 * ..., `l2l.output.bias`, PyTorch's layouts).
 */
import { grad, type TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { checkNumber } from "../checks.ts";
import { add, mul, stopGradient } from "../ops/elementwise.ts";
import type { Model } from "../nn/model.ts";
import { initLstmOptimizer, type LstmOptimizerConfig, lstmOptimizerConfig, lstmOptimizerUpdate, zeroLstmState } from "../optim/learned/network.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import { mapRecord } from "../tree.ts";
import { evaluateByAdaptation, modelParams, taskOutputs } from "./adapted-task.ts";
import type { AdaptationSpec, AdaptOptions, AlgorithmEntry, MetaAlgorithm, MetaStep, SupportSet } from "./algorithm.ts";
import { type LossKind, meanTaskLoss } from "./losses.ts";
import { fastWeightsAdapt, fastWeightsStep } from "./fast-weights.ts";
import { perTask } from "./params.ts";
import { storedField, storedLoss } from "./stored-options.ts";
import type { TaskBatch } from "./task-batch.ts";

export interface L2lLstmOptions {
  /** LSTM optimizer steps per episode in meta-training. Default 5. */
  innerSteps?: number;
  /** Steps when adapting at evaluation. Default: innerSteps. */
  evalSteps?: number;
  /** The LSTM optimizer's hidden units (default 20), layers (2), preprocessing p (10) and output scale (0.1). */
  hidden?: number;
  layers?: number;
  preprocess?: number;
  scale?: number;
  loss?: LossKind;
}

/** Prefix of the LSTM optimizer's weights among the meta-parameters. */
export const L2L_PREFIX = "l2l.";

const ADAPTATION: AdaptationSpec = { kind: "weights", tensors: [], outputs: "logits", withoutLr: "steps with its learned LSTM optimizer" };

/**
 * The learned LSTM optimizer (Andrychowicz et al. 2016) as a few-shot method.
 *
 * @param model the learner (e.g. `ks.nn.conv4({ ways: 5 })`)
 * @param options steps in training and evaluation, the LSTM's architecture and constants, loss
 * @example
 * const algo = ks.meta.l2lLstm(ks.nn.conv4({ hidden: 32, ways: 5 }), { innerSteps: 5 });
 * const params = algo.init(new ks.Rng(0));
 * const { loss, grads } = algo.step(params, batch);
 */
export function l2lLstm(model: Model, options: L2lLstmOptions = {}): MetaAlgorithm {
  const innerSteps = options.innerSteps ?? 5;
  const evalSteps = options.evalSteps ?? innerSteps;
  const loss = options.loss ?? "cross_entropy";
  const config: LstmOptimizerConfig = lstmOptimizerConfig({ hidden: options.hidden, layers: options.layers, preprocess: options.preprocess, scale: options.scale });
  checkNumber("l2l-lstm", "innerSteps", innerSteps, "non-negative integer");
  checkNumber("l2l-lstm", "evalSteps", evalSteps, "non-negative integer");
  const names = Object.keys(model.paramShapes);

  const lstmWeights = (p: TensorRecord): TensorRecord =>
    Object.fromEntries(Object.entries(p).filter(([k]) => k.startsWith(L2L_PREFIX)).map(([k, v]) => [k.slice(L2L_PREFIX.length), v]));

  /** The learner's parameters after `steps` LSTM optimizer steps on x, y (task axis on every parameter). */
  const learn = (p: TensorRecord, x: Tensor, y: Tensor, steps: number): TensorRecord => tidy(() => {
    const tasks = x.shape[0];
    const weights = lstmWeights(p);
    let theta = perTask(modelParams(model, p), tasks);
    let states = mapRecord(theta, (t) => zeroLstmState(t.size, config));
    // Σ over tasks of each task's mean loss: task t's gradient is its own (see inner-loop.ts).
    const gradient = grad((q: TensorRecord) => mul(meanTaskLoss(loss, model.apply(q, x), y), tasks), { createGraph: false });
    for (let s = 0; s < steps; s++) {
      const g = gradient(mapRecord(theta, (t) => stopGradient(t)));
      const next: TensorRecord = {};
      const nextStates: typeof states = {};
      for (const k of names) {
        const step = lstmOptimizerUpdate(weights, g[k], states[k], config);
        next[k] = add(theta[k], step.update);
        nextStates[k] = step.state;
      }
      theta = next;
      states = nextStates;
    }
    return theta;
  });

  const algo: MetaAlgorithm = {
    name: "l2l-lstm",
    model,
    loss,
    options: { innerSteps, evalSteps, ...config },
    adaptation: ADAPTATION,
    init(rng: Rng): TensorRecord {
      const p = model.init(rng);
      for (const [k, v] of Object.entries(initLstmOptimizer(rng.fork("l2l"), config))) p[L2L_PREFIX + k] = v;
      return p;
    },
    step: (params: TensorRecord, batch: TaskBatch): MetaStep => fastWeightsStep(model, loss, learn, innerSteps, params, batch),
    adapt: (params: TensorRecord, support: SupportSet, o?: AdaptOptions) => fastWeightsAdapt(algo, learn, evalSteps, params, support, o),
    predict: (task, x) => tidy(() => taskOutputs(model, task, x)),
    evaluate: (params, batch, o) => evaluateByAdaptation(algo, params, batch, o),
  };
  return algo;
}

export const L2L_LSTM_ENTRY: AlgorithmEntry = {
  head: true,
  regression: true,
  create: (model, o) => {
    const num = (k: string) => storedField(o, k, "number");
    return l2lLstm(model, {
      innerSteps: num("innerSteps"), evalSteps: num("evalSteps"), hidden: num("hidden"), layers: num("layers"),
      preprocess: num("preprocess"), scale: num("scale"), loss: storedLoss(o),
    });
  },
};
