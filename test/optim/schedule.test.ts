import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
const { checkSchedule, describeSchedule, learningRate, linearDecay, stepDecay } = ks.optim;

describe("schedules", () => {
  it("halves every 2000 iterations (ProtoNets)", () => {
    const s = stepDecay(2000, 0.5);
    expect(learningRate(s, 1e-3, 0)).toBe(1e-3);
    expect(learningRate(s, 1e-3, 1999)).toBe(1e-3);
    expect(learningRate(s, 1e-3, 2000)).toBe(5e-4);
    expect(learningRate(s, 1e-3, 4500)).toBe(2.5e-4);
    expect(describeSchedule(s)).toBe("×0.5 every 2000");
  });

  it("anneals linearly by the fraction of the budget", () => {
    const s = linearDecay(0);
    expect(learningRate(s, 1, 0, 0)).toBe(1);
    expect(learningRate(s, 1, 50, 0.25)).toBe(0.75);
    expect(learningRate(s, 1, 100, 1.5)).toBe(0);
    expect(learningRate({ kind: "constant" }, 0.3, 99, 0.9)).toBe(0.3);
  });

  it("rejects malformed schedules with what it expected", () => {
    expect(() => checkSchedule({ kind: "step", every: 0, factor: 0.5 })).toThrow(/every: integer >= 1/);
    expect(() => checkSchedule({ kind: "cosine" })).toThrow(/got \{"kind":"cosine"\}/);
    expect(() => stepDecay(10, -1)).toThrow(/factor > 0/);
  });
});
