/**
 * Meta-training of the LSTM optimizer (Andrychowicz et al. 2016, §2 and §3.1): each iteration draws a
 * batch of optimizee functions, runs the LSTM optimizer on them for `steps` steps, and after every
 * `truncation` steps takes one Adam step on the LSTM's weights along the gradient of the mean loss over
 * those steps (truncated backpropagation through time). The optimizee's gradients enter as constants
 * (the paper drops ∂∇/∂φ, §2.1). Between truncations the parameters and the LSTM state carry on as
 * constants, so memory stays flat however long the run.
 *
 * With `validation`, the optimizer is run every `every` runs on a fixed batch of validation functions and the
 * weights with the lowest mean loss after `steps` steps are the ones returned (the authors' code evaluates
 * periodically and keeps the best: a run's meta-gradient is noisy and the last weights are seldom the best).
 */
import { grad, type TensorRecord, valueAndGradWithAux } from "../../autograd.ts";
import { keep, tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import { add, div, stopGradient } from "../../ops/elementwise.ts";
import { mean, sum } from "../../ops/reduce.ts";
import { Rng } from "../../rng.ts";
import type { Tensor } from "../../tensor.ts";
import { disposeTensors, mapRecord } from "../../tree.ts";
import { adam } from "../adam.ts";
import { type LstmOptimizerConfig, type LstmOptimizerState, initLstmOptimizer, lstmOptimizerConfig, lstmOptimizerUpdate, zeroLstmState } from "./network.ts";
import type { Optimizee, OptimizeeSampler } from "./optimizee.ts";
import { learned } from "./learned.ts";
import { quadratics } from "./quadratic.ts";
import { optimizeFunctions } from "./run.ts";

/** Periodic validation during meta-training. */
export interface LearnedValidation {
  /** Validate after every this many runs (and after the last). */
  every: number;
  /** Validation functions (drawn once, from the seed, apart from the training ones). Default 256. */
  functions?: number;
  /** Called after each validation with its mean loss after `steps` steps. */
  onValidation?: (info: { iteration: number; loss: number; best: boolean }) => void;
}

export interface LearnedTrainingOptions {
  /** Optimisation runs (each on a fresh batch of functions). Default 100. */
  iterations?: number;
  /** Steps of each run (the paper: 100). */
  steps?: number;
  /** Steps per truncation (the paper: 20); `steps` must be a multiple. */
  truncation?: number;
  /** Functions per batch. Default 128. */
  functions?: number;
  /** Draws the functions. Default the paper's 10-dimensional quadratics. */
  optimizee?: OptimizeeSampler;
  /** Adam's learning rate on the LSTM weights. Default 0.001. */
  lr?: number;
  /** Seed of the weights' initialisation and of the functions. Default 0. */
  seed?: number;
  /** The architecture; default the paper's (`LSTM_OPTIMIZER_DEFAULTS`). */
  config?: Partial<LstmOptimizerConfig>;
  /** The number of the first run, for continuing a training (each run's functions come from its number). Default 0. */
  firstIteration?: number;
  /** Weights to continue from (borrowed; Adam's moments start afresh); default fresh ones from `seed`. */
  weights?: TensorRecord;
  /** Called after each truncation's update (e.g. to watch memory). */
  onTruncation?: (info: { iteration: number; truncation: number }) => void;
  /** Called after each run with its mean meta-loss. */
  onIteration?: (info: { iteration: number; loss: number }) => void;
  /** Validate periodically and return the best weights instead of the last. */
  validation?: LearnedValidation;
}

export interface LearnedTraining {
  /** The trained weights (the caller's to dispose). */
  weights: TensorRecord;
  config: LstmOptimizerConfig;
  /** Each run's mean meta-loss. */
  losses: number[];
  /** With `validation`: every validation, and the one whose weights are returned. */
  validations?: { iteration: number; loss: number }[];
  best?: { iteration: number; loss: number };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new KshotError(`trainLearnedOptimizer: expected ${name} to be a positive integer, got ${String(value)}`);
  return value;
}

/** The LSTM state of every parameter, by parameter name. */
export type LearnedStates = Record<string, LstmOptimizerState>;

/**
 * One truncation: `steps` steps of the LSTM optimizer on `f` from `theta` and `states`. Returns the mean
 * over the steps of the mean loss over the functions after each step (differentiable in `weights`; the
 * optimizee's gradients are constants) and where the steps end.
 */
export function unrollLearnedOptimizer(f: Optimizee, weights: TensorRecord, theta: TensorRecord, states: LearnedStates, steps: number, config: LstmOptimizerConfig,
): readonly [Tensor, { params: TensorRecord; states: LearnedStates }] {
  let params = theta;
  let carried = states;
  let total: Tensor | undefined;
  const gradient = grad((p: TensorRecord) => sum(f.losses(p)), { createGraph: false });
  for (let k = 0; k < steps; k++) {
    const g = gradient(mapRecord(params, (t) => stopGradient(t)));
    const next: TensorRecord = {};
    const nextStates: LearnedStates = {};
    for (const [name, p] of Object.entries(params)) {
      const step = lstmOptimizerUpdate(weights, g[name], carried[name], config);
      next[name] = add(p, step.update);
      nextStates[name] = step.state;
    }
    params = next;
    carried = nextStates;
    f.advance?.();
    const loss = mean(f.losses(params));
    total = total ? add(total, loss) : loss;
  }
  return [div(total!, steps), { params, states: carried }] as const;
}

/** Mean loss over `f` after `steps` steps of the LSTM optimizer with `weights` from `f.init(rng)`. */
async function validationLoss(f: Optimizee, rng: Rng, weights: TensorRecord, config: LstmOptimizerConfig, steps: number): Promise<number> {
  const optimizer = learned(weights, { config });
  try {
    const final = (await optimizeFunctions(optimizer, f, rng.clone(), steps))[steps];
    return final.reduce((a, b) => a + b, 0) / final.length;
  } finally {
    optimizer.dispose();
  }
}

/**
 * Meta-trains an LSTM optimizer by truncated backpropagation through its unrolled optimisation.
 *
 * @param options runs, steps, truncation, functions per batch, optimizee, Adam's lr, seed, architecture
 * @returns the trained weights, the configuration and the loss of each run
 * @example
 * const { weights, config } = await ks.optim.trainLearnedOptimizer({ iterations: 200 });
 * const opt = ks.optim.learned(weights, { config });
 */
export async function trainLearnedOptimizer(options: LearnedTrainingOptions = {}): Promise<LearnedTraining> {
  const iterations = positiveInteger("iterations", options.iterations ?? 100);
  const steps = positiveInteger("steps", options.steps ?? 100);
  const truncation = positiveInteger("truncation", options.truncation ?? 20);
  const functions = positiveInteger("functions", options.functions ?? 128);
  if (steps % truncation !== 0) throw new KshotError(`trainLearnedOptimizer: expected steps (${steps}) to be a multiple of truncation (${truncation})`);
  const config = lstmOptimizerConfig(options.config);
  const sample = options.optimizee ?? ((rng: Rng, count: number) => quadratics(rng, count));
  const rng = new Rng(options.seed ?? 0);
  const meta = adam({ lr: options.lr ?? 1e-3 });
  let weights = options.weights ? keep(mapRecord(options.weights, (t) => stopGradient(t))) : initLstmOptimizer(rng.fork("weights"), config);
  const losses: number[] = [];
  const v = options.validation;
  if (v) positiveInteger("validation.every", v.every);
  const validationSet = v ? sample(rng.fork("validation functions"), positiveInteger("validation.functions", v.functions ?? 256)) : undefined;
  const validationInit = rng.fork("validation init");
  const validations: { iteration: number; loss: number }[] = [];
  let best: { iteration: number; loss: number; weights: TensorRecord } | undefined;
  const validate = async (iteration: number) => {
    const loss = await validationLoss(validationSet!, validationInit, weights, config, steps);
    validations.push({ iteration, loss });
    const better = !best || loss < best.loss;
    if (better) {
      if (best) disposeTensors(best.weights);
      best = { iteration, loss, weights: keep(mapRecord(weights, (t) => stopGradient(t))) };
    }
    v!.onValidation?.({ iteration, loss, best: better });
  };
  try {
    const first = options.firstIteration ?? 0;
    if (!Number.isInteger(first) || first < 0) throw new KshotError(`trainLearnedOptimizer: expected firstIteration to be a non-negative integer, got ${String(first)}`);
    // Continued weights are a candidate too: more training must not return worse ones.
    if (v && options.weights) await validate(first);
    for (let iteration = first; iteration < first + iterations; iteration++) {
      const f = sample(rng.fork(`functions ${iteration}`), functions);
      let theta = f.init(rng.fork(`init ${iteration}`));
      let states: LearnedStates = mapRecord(theta, (t) => zeroLstmState(t.size, config));
      let runLoss: Tensor | undefined;
      try {
        for (let t = 0; t < steps / truncation; t++) {
          const result = tidy(() => {
            const { value, grads, aux } = valueAndGradWithAux((w: TensorRecord) => unrollLearnedOptimizer(f, w, theta, states, truncation, config), { createGraph: false })(weights);
            const updated = meta.update(weights, grads);
            return { value, updated, aux };
          });
          disposeTensors([theta, states, weights]);
          ({ params: theta, states } = result.aux);
          weights = result.updated;
          const previous = runLoss;
          runLoss = previous ? tidy(() => add(previous, result.value)) : result.value;
          if (previous) {
            previous.dispose();
            result.value.dispose();
          }
          options.onTruncation?.({ iteration, truncation: t });
        }
        const loss = (await runLoss!.item()) / (steps / truncation);
        losses.push(loss);
        options.onIteration?.({ iteration, loss });
      } finally {
        disposeTensors([theta, states, runLoss]);
        f.dispose();
      }
      const done = iteration + 1 - first;
      if (v && (done % v.every === 0 || done === iterations)) await validate(iteration + 1);
    }
  } catch (error) {
    if (best) disposeTensors(best.weights);
    throw error;
  } finally {
    meta.dispose();
    validationSet?.dispose();
  }
  if (!best) return { weights, config, losses };
  disposeTensors(weights);
  return { weights: best.weights, config, losses, validations, best: { iteration: best.iteration, loss: best.loss } };
}
