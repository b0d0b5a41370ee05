/**
 * The coordinate-wise LSTM optimizer of Andrychowicz et al. 2016 (§3.1): a small LSTM (two layers of 20
 * units) applied to every coordinate of the optimizee separately, with weights shared across coordinates
 * and a hidden state per coordinate. Each coordinate's preprocessed gradient goes in; a linear read-out of
 * the top layer, times `scale`, is the coordinate's update: θ ← θ + scale · out.
 *
 * Weights in PyTorch's names and layouts (`torch.nn.LSTM(2, H, layers)` then `torch.nn.Linear(H, 1)`):
 * `lstm.weight_ih_l{k}`, `lstm.weight_hh_l{k}`, `lstm.bias_ih_l{k}`, `lstm.bias_hh_l{k}`, `output.weight`,
 * `output.bias`.
 *
 * Reference: Andrychowicz, Denil, Gómez, Hoffman, Pfau, Schaul, Shillingford, de Freitas. Learning to
 * learn by gradient descent by gradient descent. NeurIPS 2016.
 */
import type { TensorRecord } from "../../autograd.ts";
import { tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import { zeros } from "../../ops/creation.ts";
import { add, mul } from "../../ops/elementwise.ts";
import { matmul } from "../../ops/matmul.ts";
import { reshape } from "../../ops/shape.ts";
import { uniformFanIn } from "../../nn/init.ts";
import type { Rng } from "../../rng.ts";
import { formatShape, sameShape } from "../../shape.ts";
import type { Tensor } from "../../tensor.ts";
import { checkRange } from "../checks.ts";
import { type LstmLayerState, lstmCell } from "./lstm-cell.ts";
import { preprocessGradient } from "./preprocess.ts";

/** The LSTM optimizer's architecture and its two constants. */
export interface LstmOptimizerConfig {
  /** Hidden units per layer (the paper: 20). */
  hidden: number;
  /** LSTM layers (the paper: 2). */
  layers: number;
  /** The preprocessing constant p (the paper: 10). */
  preprocess: number;
  /** The factor on the read-out (the paper: 0.1). */
  scale: number;
}

/** Andrychowicz et al. 2016, §3.1 and appendix A. */
export const LSTM_OPTIMIZER_DEFAULTS: Readonly<LstmOptimizerConfig> = { hidden: 20, layers: 2, preprocess: 10, scale: 0.1 };

/** Inputs per coordinate: the two preprocessed gradient features. */
const INPUTS = 2;

/** The per-coordinate state of every layer (each h and c [N, hidden]). */
export type LstmOptimizerState = readonly LstmLayerState[];

/** A complete, checked configuration. */
export function lstmOptimizerConfig(config: Partial<LstmOptimizerConfig> = {}): LstmOptimizerConfig {
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  const c = { ...LSTM_OPTIMIZER_DEFAULTS, ...given } as LstmOptimizerConfig;
  for (const key of ["hidden", "layers"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new KshotError(`LSTM optimizer: expected ${key} to be a positive integer, got ${String(c[key])}`);
  }
  checkRange("LSTM optimizer", "preprocess", c.preprocess, Number.MIN_VALUE);
  checkRange("LSTM optimizer", "scale", c.scale, 0);
  return c;
}

/** Parameter shapes by name, PyTorch's layouts. */
export function lstmOptimizerShapes(config: LstmOptimizerConfig): Record<string, number[]> {
  const h = config.hidden;
  const shapes: Record<string, number[]> = {};
  for (let k = 0; k < config.layers; k++) {
    shapes[`lstm.weight_ih_l${k}`] = [4 * h, k === 0 ? INPUTS : h];
    shapes[`lstm.weight_hh_l${k}`] = [4 * h, h];
    shapes[`lstm.bias_ih_l${k}`] = [4 * h];
    shapes[`lstm.bias_hh_l${k}`] = [4 * h];
  }
  shapes["output.weight"] = [1, h];
  shapes["output.bias"] = [1];
  return shapes;
}

/**
 * Fresh weights, initialised as PyTorch does (every LSTM tensor U(−1/√H, 1/√H); the read-out as a Linear).
 *
 * @example
 * const weights = ks.optim.initLstmOptimizer(new ks.Rng(0));   // 2 layers of 20 units
 */
export function initLstmOptimizer(rng: Rng, config: Partial<LstmOptimizerConfig> = {}): TensorRecord {
  const c = lstmOptimizerConfig(config);
  return tidy(() => {
    const out: TensorRecord = {};
    for (const [name, shape] of Object.entries(lstmOptimizerShapes(c))) out[name] = uniformFanIn(rng, shape, c.hidden);
    return out;
  });
}

/** Throws unless `weights` has every tensor of `config`'s architecture in its shape. */
export function checkLstmOptimizerWeights(weights: TensorRecord, config: LstmOptimizerConfig): void {
  for (const [name, shape] of Object.entries(lstmOptimizerShapes(config))) {
    const w = weights[name];
    if (!w) throw new KshotError(`LSTM optimizer: missing weight ${name} (expected ${formatShape(shape)}; got ${Object.keys(weights).join(", ") || "none"})`);
    if (!sameShape(w.shape, shape)) throw new KshotError(`LSTM optimizer: expected ${name} ${formatShape(shape)}, got ${formatShape(w.shape)}`);
  }
}

/** The zero state for `n` coordinates. */
export function zeroLstmState(n: number, config: LstmOptimizerConfig): LstmOptimizerState {
  return Array.from({ length: config.layers }, () => ({ h: zeros([n, config.hidden]), c: zeros([n, config.hidden]) }));
}

/**
 * The update of every coordinate of `gradient` (any shape; the update has its shape) and the next state.
 * Differentiable with respect to the weights; the gradient itself enters as a constant.
 */
export function lstmOptimizerUpdate(
  weights: TensorRecord,
  gradient: Tensor,
  state: LstmOptimizerState,
  config: LstmOptimizerConfig,
): { update: Tensor; state: LstmOptimizerState } {
  return tidy(() => {
    let x = preprocessGradient(gradient, config.preprocess);
    const next = state.map((s, k) => {
      const layer = lstmCell(x, s, {
        weightIh: weights[`lstm.weight_ih_l${k}`],
        weightHh: weights[`lstm.weight_hh_l${k}`],
        biasIh: weights[`lstm.bias_ih_l${k}`],
        biasHh: weights[`lstm.bias_hh_l${k}`],
      });
      x = layer.h;
      return layer;
    });
    const out = add(matmul(x, weights["output.weight"], { transB: true }), weights["output.bias"]);
    return { update: reshape(mul(out, config.scale), gradient.shape), state: next };
  });
}
