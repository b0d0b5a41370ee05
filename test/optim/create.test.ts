import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
const { adam } = ks.optim;
const { createOptimizer } = ks.optim;

describe("createOptimizer", () => {
  it("rebuilds an optimizer from its config", () => {
    const a = adam({ lr: 0.002, beta1: 0.5 });
    const b = createOptimizer(a.config);
    expect(b.config).toEqual(a.config);
    expect(createOptimizer({ kind: "sgd", lr: 0.1, momentum: 0.9 }).config).toEqual({ kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0 });
    expect(createOptimizer({ kind: "rmsprop", lr: 0.1 }).config).toEqual({ kind: "rmsprop", lr: 0.1, alpha: 0.99, eps: 1e-8 });
    expect(() => createOptimizer({ kind: "lbfgs" })).toThrow(/expected kind "adam", "sgd" or "rmsprop", got "lbfgs"/);
    expect(() => createOptimizer({ kind: "learned" })).toThrow(/needs its weights/);
    expect(() => createOptimizer({ kind: "adam", lr: "fast" })).toThrow(/lr to be a number/);
  });
});
