/**
 * The Meta-Learner LSTM (Ravi & Larochelle. Optimization as a Model for Few-Shot Learning. ICLR 2017).
 * The learner's parameters are the cell state of an LSTM whose gates are the update rule (Eq. 2):
 *   c_t = f_t ⊙ c_{t−1} + i_t ⊙ (−∇_t)          (c_0 = θ_0, the learned initialisation)
 *   i_t = σ(W_I · [∇̃_t, L̃_t, θ_{t−1}, i_{t−1}] + b_I)   the learned step size
 *   f_t = σ(W_F · [∇̃_t, L̃_t, θ_{t−1}, f_{t−1}] + b_F)   the learned decay
 * for every coordinate, with W and b shared across coordinates; ∇̃ and L̃ are the support gradient and loss
 * preprocessed as in Andrychowicz et al. 2016 (two features each, p = 10), i_0 = f_0 = 0. As in the paper
 * the gradients and losses are constants to the meta-gradient (first order, §3.2), which flows through the
 * cell state and the gates into θ_0, W and b. The paper's first LSTM layer, which only feeds its inputs
 * through, is not there: the gates read the preprocessed features directly.
 *
 * Meta-parameters: the model's parameters (θ_0) and `metalstm.input_gate.weight` [6],
 * `metalstm.input_gate.bias` [1], `metalstm.forget_gate.weight` [6], `metalstm.forget_gate.bias` [1].
 */
import { type TensorRecord, valueAndGradWithAux } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkNumber } from "../checks.ts";
import { tensor } from "../ops/creation.ts";
import { add, mul, sigmoid, stopGradient, sub } from "../ops/elementwise.ts";
import { sum } from "../ops/reduce.ts";
import { reshape, slice, stack } from "../ops/shape.ts";
import type { Model } from "../nn/model.ts";
import { preprocessParts } from "../optim/learned/preprocess.ts";
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

export interface MetaLstmOptions {
  /** Learner updates (the LSTM's steps) per episode in meta-training. Default 5. */
  innerSteps?: number;
  /** Learner updates when adapting at evaluation. Default: innerSteps. */
  evalSteps?: number;
  /** The input gate's starting value σ(b_I), i.e. the initial step size. Default 0.1. */
  innerLr?: number;
  /** The forget gate's starting value σ(b_F). Default σ(5) ≈ 0.993 (the paper starts it close to 1). */
  forget?: number;
  loss?: LossKind;
  /**
   * Called at each learner update of `adapt` and `step` with the mean input and forget gate over every
   * coordinate of every task (scalar tensors, valid during the call): the learned step size and decay
   * per step, as Ravi & Larochelle plot them. Not stored with the options.
   */
  onGates?: (step: number, gates: { input: Tensor; forget: Tensor }) => void;
}

/** The gates' meta-parameters. */
export const META_LSTM_PREFIX = "metalstm.";
const GATES = { input: `${META_LSTM_PREFIX}input_gate`, forget: `${META_LSTM_PREFIX}forget_gate` } as const;
/** Gate inputs per coordinate: ∇̃ (2), L̃ (2), θ_{t−1}, the gate's previous value. */
const FEATURES = 6;
/** The preprocessing constant p of Andrychowicz et al. 2016, as the paper uses it. */
const PREPROCESS = 10;

const logit = (p: number) => Math.log(p / (1 - p));

const ADAPTATION: AdaptationSpec = { kind: "weights", tensors: [], outputs: "logits", withoutLr: "steps with its learned input gates" };

/** Each task's own mean loss [T] for predictions [T, B, ...]. */
function taskLosses(kind: LossKind, predictions: Tensor, y: Tensor): Tensor {
  const tasks = predictions.shape[0];
  const one = (t: Tensor, i: number) => slice(t, t.shape.map((_, k) => (k === 0 ? i : 0)), t.shape.map((d, k) => (k === 0 ? 1 : d)));
  return stack(Array.from({ length: tasks }, (_, i) => meanTaskLoss(kind, one(predictions, i), one(y, i))));
}

/** The mean of each gate over every coordinate, handed to `report` (and freed after it). */
function reportGates(step: number, gates: Record<string, { input: Tensor | number; forget: Tensor | number }>, report: NonNullable<MetaLstmOptions["onGates"]>): void {
  tidy(() => {
    const all = Object.values(gates);
    const meanOf = (kind: "input" | "forget") => {
      const values = all.map((g) => g[kind] as Tensor);
      const count = values.reduce((n, t) => n + t.size, 0);
      return mul(values.map((t) => sum(stopGradient(t))).reduce((a, b) => add(a, b)), 1 / count);
    };
    report(step, { input: meanOf("input"), forget: meanOf("forget") });
  });
}

/**
 * The Meta-Learner LSTM: a learned update rule whose cell state is the learner's parameters.
 *
 * @param model the learner (e.g. `ks.nn.conv4({ ways: 5 })`)
 * @param options learner updates in training and evaluation, the gates' starting values, loss
 * @example
 * const algo = ks.meta.metaLstm(ks.nn.conv4({ hidden: 32, ways: 5 }), { innerSteps: 5 });
 * const params = algo.init(new ks.Rng(0));
 * const { loss, grads } = algo.step(params, batch);
 * const task = algo.adapt(params, { ...batch.support, ways: 5 });
 */
export function metaLstm(model: Model, options: MetaLstmOptions = {}): MetaAlgorithm {
  const innerSteps = options.innerSteps ?? 5;
  const evalSteps = options.evalSteps ?? innerSteps;
  const innerLr = options.innerLr ?? 0.1;
  const forget = options.forget ?? 1 / (1 + Math.exp(-5));
  const loss = options.loss ?? "cross_entropy";
  checkNumber("metalstm", "innerSteps", innerSteps, "non-negative integer");
  checkNumber("metalstm", "evalSteps", evalSteps, "non-negative integer");
  for (const [name, v] of [["innerLr", innerLr], ["forget", forget]] as const) {
    if (!(v > 0 && v < 1)) throw new KshotError(`metalstm: expected ${name} in (0, 1), got ${String(v)}`);
  }
  const names = Object.keys(model.paramShapes);

  /** The learner's parameters after `steps` updates on x, y (task axis on every parameter). */
  const learn = (p: TensorRecord, x: Tensor, y: Tensor, steps: number): TensorRecord => tidy(() => {
    const tasks = x.shape[0];
    let theta = perTask(modelParams(model, p), tasks);
    let gates: Record<string, { input: Tensor | number; forget: Tensor | number }> = mapRecord(theta, () => ({ input: 0, forget: 0 }));
    for (let s = 0; s < steps; s++) {
      const frozen = mapRecord(theta, (t) => stopGradient(t));
      const { grads, aux: losses } = valueAndGradWithAux((q: TensorRecord) => {
        const l = taskLosses(loss, model.apply(q, x), y);
        return [sum(l), l] as const;
      }, { createGraph: false })(frozen);
      const [l1, l2] = preprocessParts(losses, PREPROCESS);
      const next: TensorRecord = {};
      const nextGates: typeof gates = {};
      for (const k of names) {
        const t = theta[k];
        const perTaskShape = [tasks, ...t.shape.slice(1).map(() => 1)];
        const [g1, g2] = preprocessParts(grads[k], PREPROCESS);
        const common = [g1, g2, reshape(l1, perTaskShape), reshape(l2, perTaskShape), t];
        // σ(Σ_k w_k · feature_k + b): the loss features broadcast over the task's coordinates.
        const gate = (name: string, previous: Tensor | number) => {
          const w = p[`${name}.weight`];
          const features = typeof previous === "number" ? common : [...common, previous];
          const terms = features.map((feature, j) => mul(feature, slice(w, [j], [1])));
          return sigmoid(terms.reduce((a, b) => add(a, b), p[`${name}.bias`]));
        };
        const i = gate(GATES.input, gates[k].input);
        const f = gate(GATES.forget, gates[k].forget);
        next[k] = sub(mul(f, t), mul(i, grads[k]));
        nextGates[k] = { input: i, forget: f };
      }
      theta = next;
      gates = nextGates;
      if (options.onGates) reportGates(s, nextGates, options.onGates);
    }
    return theta;
  });

  const algo: MetaAlgorithm = {
    name: "metalstm",
    model,
    loss,
    options: { innerSteps, evalSteps, innerLr, forget },
    adaptation: ADAPTATION,
    init(rng: Rng): TensorRecord {
      const p = model.init(rng);
      // Ravi & Larochelle start W near 0, the forget gate near 1 and the input gate small (§3.3).
      const small = () => tensor(Float32Array.from({ length: FEATURES }, () => rng.uniformRange(-0.01, 0.01)), [FEATURES]);
      p[`${GATES.input}.weight`] = small();
      p[`${GATES.input}.bias`] = tensor([logit(innerLr)]);
      p[`${GATES.forget}.weight`] = small();
      p[`${GATES.forget}.bias`] = tensor([logit(forget)]);
      return p;
    },
    step: (params: TensorRecord, batch: TaskBatch): MetaStep => fastWeightsStep(model, loss, learn, innerSteps, params, batch),
    adapt: (params: TensorRecord, support: SupportSet, o?: AdaptOptions) => fastWeightsAdapt(algo, learn, evalSteps, params, support, o),
    predict: (task, x) => tidy(() => taskOutputs(model, task, x)),
    evaluate: (params, batch, o) => evaluateByAdaptation(algo, params, batch, o),
  };
  return algo;
}

export const META_LSTM_ENTRY: AlgorithmEntry = {
  head: true,
  regression: true,
  create: (model, o) => metaLstm(model, {
    innerSteps: storedField(o, "innerSteps", "number"), evalSteps: storedField(o, "evalSteps", "number"),
    innerLr: storedField(o, "innerLr", "number"), forget: storedField(o, "forget", "number"), loss: storedLoss(o),
  }),
};
