import { describe, expect, it } from "vitest";
import * as ks from "../../../src/index.ts";
import { input, itChecksGradients, randomValues } from "../../support/gradcheck.ts";
import { itMatchesCommittedGoldenCase } from "../../meta/support.ts";

const config = ks.optim.lstmOptimizerConfig({ hidden: 3, layers: 2 });
const names = Object.keys(ks.tidy(() => ks.optim.initLstmOptimizer(new ks.Rng(0), config)));
const shapes = ks.tidy(() => Object.values(ks.optim.initLstmOptimizer(new ks.Rng(0), config)).map((t) => [...t.shape]));

/** A tiny batch of 2 three-dimensional quadratics in the weights' dtype, and a fixed start. */
function tiny(dtype: ks.DType) {
  const f = ks.optim.quadraticFunctions(ks.tensor(randomValues(18, 11), [2, 3, 3], dtype), ks.tensor(randomValues(6, 12), [2, 3], dtype));
  const theta = { theta: ks.tensor(randomValues(6, 13, -0.5, 0.5), [2, 3], dtype) };
  const states = { theta: ks.optim.zeroLstmState(6, config).map((s) => ({ h: ks.cast(s.h, dtype), c: ks.cast(s.c, dtype) })) };
  return { f, theta, states };
}

describe("unrollLearnedOptimizer", () => {
  // Four steps on three 4-dimensional quadratics against torch.nn.LSTM in float64 (tools/golden/generate.py).
  itMatchesCommittedGoldenCase("lstm_optimizer_quadratic");
  // With one step the optimizee's gradient is taken at the fixed start, so the truncated (first-order)
  // meta-gradient is the exact one: finite differences check it.
  itChecksGradients({
    name: "one-step meta-loss in the LSTM weights",
    f: (ws) => {
      const { f, theta, states } = tiny(ws[0].dtype);
      const weights = Object.fromEntries(names.map((n, i) => [n, ws[i]]));
      const [loss] = ks.optim.unrollLearnedOptimizer(f, weights, theta, states, 1, config);
      f.dispose();
      return loss;
    },
    inputs: shapes.map((shape, i) => input(shape, 20 + i)),
    noHvp: true,
  });

  it("ends where the learned optimizer's own steps end", async () => {
    const weights = ks.optim.initLstmOptimizer(new ks.Rng(3), config);
    const { f, theta, states } = tiny("float32");
    const [, end] = ks.optim.unrollLearnedOptimizer(f, weights, theta, states, 4, config);
    const opt = ks.optim.learned(weights, { config });
    let p: ks.TensorRecord = theta;
    for (let k = 0; k < 4; k++) p = opt.update(p, ks.grad((q: ks.TensorRecord) => ks.sum(f.losses(q)))(p));
    const want = Array.from(await p.theta.data());
    Array.from(await end.params.theta.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    opt.dispose();
    f.dispose();
  });
});

describe("trainLearnedOptimizer", () => {
  it("keeps memory flat across truncations and runs", async () => {
    const counts: number[] = [];
    const result = await ks.optim.trainLearnedOptimizer({
      iterations: 2, steps: 60, truncation: 20, functions: 4, config, seed: 1,
      onTruncation: () => counts.push(ks.memory().tensors),
    });
    expect(counts).toHaveLength(6);
    expect(new Set(counts).size, JSON.stringify(counts)).toBe(1);
    expect(result.losses).toHaveLength(2);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    ks.tidy(() => Object.values(result.weights).forEach((t) => t.dispose()));
  });

  it("lowers the meta-loss on quadratics when trained briefly", async () => {
    const rng = new ks.Rng(5);
    const fixed = (_: ks.Rng, count: number) => ks.optim.quadratics(rng.fork("same"), count, { dim: 4 });
    const run = (iterations: number) => ks.optim.trainLearnedOptimizer({ iterations, steps: 10, truncation: 5, functions: 8, config, seed: 2, lr: 0.01, optimizee: fixed });
    const { losses, weights } = await run(15);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    Object.values(weights).forEach((t) => t.dispose());
  });

  it("validates periodically and returns the best weights, leaving no tensor behind", async () => {
    const before = ks.memory().tensors;
    const seen: { iteration: number; loss: number; best: boolean }[] = [];
    const result = await ks.optim.trainLearnedOptimizer({
      iterations: 5, steps: 10, truncation: 5, functions: 4, config, seed: 3, lr: 0.05,
      validation: { every: 2, functions: 6, onValidation: (info) => seen.push(info) },
    });
    // After runs 2 and 4 and the last (5).
    expect(seen.map((s) => s.iteration)).toEqual([2, 4, 5]);
    expect(result.validations).toEqual(seen.map(({ iteration, loss }) => ({ iteration, loss })));
    const lowest = Math.min(...seen.map((s) => s.loss));
    expect(result.best?.loss).toBe(lowest);
    // The returned weights are the best ones: validating them again gives the best loss.
    const again = await ks.optim.trainLearnedOptimizer({
      iterations: 1, steps: 10, truncation: 5, functions: 4, config, seed: 3, lr: 0, weights: result.weights,
      validation: { every: 1, functions: 6 },
    });
    expect(again.validations?.[0]).toEqual({ iteration: 0, loss: lowest });
    Object.values(result.weights).forEach((t) => t.dispose());
    Object.values(again.weights).forEach((t) => t.dispose());
    expect(ks.memory().tensors).toBe(before);
  });

  it("rejects a validation period that is not a positive integer", async () => {
    await expect(ks.optim.trainLearnedOptimizer({ iterations: 1, validation: { every: 0 } })).rejects.toThrow(/validation.every/);
  });

  it("rejects a truncation that does not divide the steps", async () => {
    await expect(ks.optim.trainLearnedOptimizer({ steps: 10, truncation: 3 })).rejects.toThrow(/multiple of truncation/);
  });
});
