/**
 * One step of an LSTM layer in PyTorch's layout (`torch.nn.LSTM`, gate order input, forget, cell, output):
 *   gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh,  [i, f, g, o] = split(gates)
 *   c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),  h' = σ(o) ⊙ tanh(c')
 * Written with ops, so it differentiates to any order.
 */
import { tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import { add, mul, sigmoid, tanh } from "../../ops/elementwise.ts";
import { matmul } from "../../ops/matmul.ts";
import { slice } from "../../ops/shape.ts";
import { formatShape } from "../../shape.ts";
import type { Tensor } from "../../tensor.ts";

/** One layer's weights: weightIh [4H, in], weightHh [4H, H], biasIh and biasHh [4H]. */
export interface LstmLayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;
}

/** An LSTM layer's state over N rows: h and c, each [N, H]. */
export interface LstmLayerState {
  h: Tensor;
  c: Tensor;
}

/** The next state of one layer for input x [N, in] from state [N, H]. */
export function lstmCell(x: Tensor, state: LstmLayerState, w: LstmLayerWeights): LstmLayerState {
  const hidden = state.h.shape[1];
  if (w.weightIh.shape[0] !== 4 * hidden || w.weightIh.shape[1] !== x.shape[1] || w.weightHh.shape[1] !== hidden) {
    throw new KshotError(
      `lstmCell: expected weight_ih [${4 * hidden}, ${x.shape[1]}] and weight_hh [${4 * hidden}, ${hidden}], got ${formatShape(w.weightIh.shape)} and ${formatShape(w.weightHh.shape)}`,
    );
  }
  return tidy(() => {
    const gates = add(add(matmul(x, w.weightIh, { transB: true }), w.biasIh), add(matmul(state.h, w.weightHh, { transB: true }), w.biasHh));
    const n = x.shape[0];
    const gate = (k: number) => slice(gates, [0, k * hidden], [n, hidden]);
    const c = add(mul(sigmoid(gate(1)), state.c), mul(sigmoid(gate(0)), tanh(gate(2))));
    const h = mul(sigmoid(gate(3)), tanh(c));
    return { h, c };
  });
}
