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

  describe("with fresh minibatches", () => {
    const fresh = { ...options, minibatch: "fresh" as const };

    it("draws a new minibatch on advance(), the same sequence from the same seed", async () => {
      const sequence = async () => {
        const f = ks.optim.mlpClassifiers(new ks.Rng(7), 2, fresh);
        const params = f.init(new ks.Rng(8));
        const out: number[][] = [];
        for (let k = 0; k < 3; k++) {
          const l = f.losses(params);
          out.push(Array.from(await l.data()));
          l.dispose();
          f.advance!();
        }
        Object.values(params).forEach((t) => t.dispose());
        f.dispose();
        return out;
      };
      const before = ks.memory().tensors;
      const a = await sequence();
      expect(a[1]).not.toEqual(a[0]);
      expect(a[2]).not.toEqual(a[1]);
      expect(await sequence()).toEqual(a);
      expect(ks.memory().tensors).toBe(before);
    });

    it("is lowered by SGD on fresh minibatches", async () => {
      const f = ks.optim.mlpClassifiers(new ks.Rng(3), 2, fresh);
      const sgd = ks.optim.sgd({ lr: 1 });
      const curves = await ks.optim.optimizeFunctions(sgd, f, new ks.Rng(4), 30);
      curves[30].forEach((v, i) => expect(v).toBeLessThan(curves[0][i] - 0.05));
      sgd.dispose();
      f.dispose();
    });

    it("holds one index tensor per step and frees them all with the functions", async () => {
      const before = ks.memory().tensors;
      const counts: number[] = [];
      const result = await ks.optim.trainLearnedOptimizer({
        iterations: 2, steps: 10, truncation: 5, functions: 2, seed: 1, config: { hidden: 4 },
        optimizee: (rng, count) => ks.optim.mlpClassifiers(rng, count, fresh),
        onTruncation: () => counts.push(ks.memory().tensors),
      });
      // Each truncation adds its 5 steps' row indices, nothing else; each run starts where the last did.
      expect(counts).toHaveLength(4);
      expect(counts[1] - counts[0]).toBe(5);
      expect(counts.slice(2)).toEqual(counts.slice(0, 2));
      Object.values(result.weights).forEach((t) => t.dispose());
      expect(ks.memory().tensors).toBe(before);
    });

    it("rejects a minibatch larger than a function's examples and an unknown kind", () => {
      expect(() => ks.optim.mlpClassifiers(new ks.Rng(1), 2, { ...fresh, batch: 101 })).toThrow(/minibatch of 101 needs more than the 100 examples/);
      expect(() => ks.optim.mlpClassifiers(new ks.Rng(1), 2, { ...options, minibatch: "random" as "fresh" })).toThrow(/expected minibatch "fixed" or "fresh", got "random"/);
    });
  });
});
