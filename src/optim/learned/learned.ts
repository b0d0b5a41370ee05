/**
 * A trained LSTM optimizer (Andrychowicz et al. 2016) as an `Optimizer`, beside `sgd` and `adam`: every
 * coordinate of every parameter gets the LSTM's update for its gradient, with a hidden state of its own
 * kept between steps. The weights are fixed (use `trainLearnedOptimizer` to learn them).
 *
 * State tensors: `h<k>.<param>` and `c<k>.<param>` for each layer k, [size of param, hidden].
 */
import type { TensorRecord } from "../../autograd.ts";
import { keep, tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import type { Checkpoint } from "../../io/checkpoint.ts";
import { add, cast, mul, stopGradient, where } from "../../ops/elementwise.ts";
import { Tensor } from "../../tensor.ts";
import { disposeTensors, mapRecord } from "../../tree.ts";
import { checkGradients, checkRange } from "../checks.ts";
import type { Optimizer, UpdateOptions } from "../optimizer.ts";
import { StateStore } from "../state-store.ts";
import {
  checkLstmOptimizerWeights, type LstmOptimizerConfig, type LstmOptimizerState, lstmOptimizerConfig, lstmOptimizerUpdate, zeroLstmState,
} from "./network.ts";

/** The model name a trained LSTM optimizer's checkpoint carries (its config holds `LstmOptimizerConfig`). */
export const LSTM_OPTIMIZER_MODEL = "lstm-optimizer";

export interface LearnedOptions {
  /** A factor on the learned update (default 1: the update as trained). */
  lr?: number;
  /** The architecture, when `source` is a record of weights (a checkpoint says its own). Default the paper's. */
  config?: Partial<LstmOptimizerConfig>;
}

function isCheckpoint(source: TensorRecord | Checkpoint): source is Checkpoint {
  return "params" in source && !(source.params instanceof Tensor) && "metadata" in source;
}

/** The weights and configuration of `source`. */
function resolve(source: TensorRecord | Checkpoint, options: LearnedOptions): { weights: TensorRecord; config: LstmOptimizerConfig } {
  if (source === null || typeof source !== "object") throw new KshotError(`learned: expected a checkpoint or a record of weights, got ${String(source)}`);
  if (!isCheckpoint(source)) return { weights: source, config: lstmOptimizerConfig(options.config) };
  const model = source.metadata.model;
  if (model?.name !== LSTM_OPTIMIZER_MODEL) {
    throw new KshotError(`learned: expected a checkpoint of model "${LSTM_OPTIMIZER_MODEL}", got ${model ? JSON.stringify(model.name) : "one without a model"}`);
  }
  return { weights: source.params, config: lstmOptimizerConfig({ ...(model.config as Partial<LstmOptimizerConfig>), ...options.config }) };
}

/**
 * The trained LSTM optimizer in `source` (a checkpoint written by `trainLearnedOptimizer`'s caller or
 * `kshot train --algo l2l-lstm`, or its weights) as an Optimizer. The weights are copied (views): the
 * caller may dispose its own.
 *
 * @param source a checkpoint (`await ks.io.load(path)`) or a record of weights
 * @param options `lr`: a factor on the update; `config` for a bare record of weights
 * @example
 * const opt = ks.optim.learned(await ks.io.load("lstm-optimizer.safetensors"));
 * let params = { theta: ks.zeros([1, 10]) };
 * params = opt.update(params, ks.grad(loss)(params));
 */
export function learned(source: TensorRecord | Checkpoint, options: LearnedOptions = {}): Optimizer {
  const { weights: given, config } = resolve(source, options);
  checkLstmOptimizerWeights(given, config);
  const lr = checkRange("learned", "lr", options.lr ?? 1, 0);
  const weights = keep(mapRecord(given, (t) => stopGradient(t)));
  const state = new StateStore();
  const sizes = new Map<string, number>();
  const stateName = (kind: "h" | "c", layer: number, param: string) => `${kind}${layer}.${param}`;

  const stateOf = (name: string, size: number): LstmOptimizerState => {
    if (!state.get(stateName("h", 0, name))) return zeroLstmState(size, config);
    return Array.from({ length: config.layers }, (_, k) => ({ h: state.get(stateName("h", k, name))!, c: state.get(stateName("c", k, name))! }));
  };

  return {
    kind: "learned",
    lr,
    config: { kind: "learned", lr, ...config },
    update(params: TensorRecord, grads: TensorRecord, o: UpdateOptions = {}): TensorRecord {
      checkGradients("learned", params, grads);
      const rate = checkRange("learned", "the step's lr", o.lr ?? lr, 0);
      const next = tidy(() => {
        const out: TensorRecord = {};
        const states: TensorRecord = {};
        const first = Object.values(params)[0];
        const accept = o.accept && first ? cast(o.accept, first.dtype) : undefined;
        const choose = (stepped: Tensor, old: Tensor) => (accept ? where(accept, stepped, old) : stepped);
        for (const [name, p] of Object.entries(params)) {
          sizes.set(name, p.size);
          const old = stateOf(name, p.size);
          const step = lstmOptimizerUpdate(weights, grads[name], old, config);
          out[name] = choose(add(p, rate === 1 ? step.update : mul(step.update, rate)), p);
          step.state.forEach((s, k) => {
            states[stateName("h", k, name)] = choose(s.h, old[k].h);
            states[stateName("c", k, name)] = choose(s.c, old[k].c);
          });
        }
        return { out, states };
      });
      state.replace(next.states);
      return next.out;
    },
    stateTensors: () => state.all(),
    loadState(tensors: TensorRecord): void {
      state.load(tensors, (name) => {
        const size = sizes.get(name.slice(name.indexOf(".") + 1));
        return size === undefined ? undefined : [size, config.hidden];
      });
    },
    dispose(): void {
      state.dispose();
      disposeTensors(weights);
    },
  };
}
