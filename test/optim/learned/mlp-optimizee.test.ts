import { describe, expect, it } from "vitest";
import * as ks from "../../../src/index.ts";

// Small glyphs (10×10) keep the test quick; the shapes follow the source's image size.
const source = ks.data.glyphs({ size: 10, trainClasses: 30, validationClasses: 1, testClasses: 1 }).train;
const options = { source, classes: 5, hidden: 6, batch: 40 };

describe("mlpClassifiers", () => {
  it("gives every function its own parameters and a loss near ln(classes) at the start", async () => {
    const f = ks.optim.mlpClassifiers(new ks.Rng(1), 3, options);
    const params = f.init(new ks.Rng(2));
    expect(Object.fromEntries(Object.entries(params).map(([k, t]) => [k, [...t.shape]]))).toEqual({ w1: [3, 100, 6], b1: [3, 1, 6], w2: [3, 6, 5], b2: [3, 1, 5] });
    const losses = f.losses(params);
    expect(losses.shape).toEqual([3]);
    for (const v of await losses.data()) expect(v).toBeCloseTo(Math.log(5), 0);
    [...Object.values(params), losses].forEach((t) => t.dispose());
    f.dispose();
  });

  it("is lowered by a few SGD steps", async () => {
    const f = ks.optim.mlpClassifiers(new ks.Rng(3), 2, options);
    const sgd = ks.optim.sgd({ lr: 1 });
    const curves = await ks.optim.optimizeFunctions(sgd, f, new ks.Rng(4), 20);
    curves[20].forEach((v, i) => expect(v).toBeLessThan(curves[0][i] - 0.05));
    sgd.dispose();
    f.dispose();
  });

  it("rejects parameters of the wrong shape and a batch larger than its classes' examples", () => {
    const f = ks.optim.mlpClassifiers(new ks.Rng(1), 2, options);
    const params = f.init(new ks.Rng(2));
    expect(() => f.losses({ ...params, w2: params.w1 })).toThrow(/expected w2 \[2, 6, 5\]/);
    Object.values(params).forEach((t) => t.dispose());
    f.dispose();
    expect(() => ks.optim.mlpClassifiers(new ks.Rng(1), 2, { ...options, batch: 101 })).toThrow(/batch of 101/);
  });

  it("keeps memory flat across the learned optimizer's truncations", async () => {
    const counts: number[] = [];
    const result = await ks.optim.trainLearnedOptimizer({
      iterations: 2, steps: 20, truncation: 5, functions: 2, seed: 1, config: { hidden: 4 },
      optimizee: (rng, count) => ks.optim.mlpClassifiers(rng, count, options),
      onTruncation: () => counts.push(ks.memory().tensors),
    });
    expect(counts).toHaveLength(8);
    expect(new Set(counts).size, JSON.stringify(counts)).toBe(1);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    Object.values(result.weights).forEach((t) => t.dispose());
  });
});
