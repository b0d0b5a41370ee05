import { describe, expect, it } from "vitest";
import { EarlyStopping, validationScore } from "../../src/train/early-stopping.ts";
import type { EvaluationResult } from "../../src/train/evaluate.ts";

const accuracy = (a: number): EvaluationResult => ({ kind: "classification", accuracy: a, ci95: 0, episodes: 1, perEpisode: [a], loss: 0 });

describe("EarlyStopping", () => {
  it("scores accuracy, or minus the MSE after the most inner steps", () => {
    expect(validationScore(accuracy(0.75))).toBe(0.75);
    expect(validationScore({ kind: "regression", mse: { "1": 3, "10": 0.5, "5": 1 }, ci95: {}, episodes: 1 })).toBe(-0.5);
  });

  it("counts validations that do not beat the best (ties and NaN included) and stops after `patience`", () => {
    const early = new EarlyStopping(2);
    expect(early.summary()).toBeUndefined();
    expect(early.record(accuracy(0.5), 10)).toBe(true);
    expect(early.record(accuracy(0.5), 20)).toBe(false);
    expect(early.exhausted()).toBe(false);
    expect(early.record(accuracy(0.6), 30)).toBe(true);
    expect(early.record(accuracy(0.4), 40)).toBe(false);
    expect(early.exhausted()).toBe(false);
    expect(early.record(accuracy(Number.NaN), 50)).toBe(false);
    expect(early.exhausted()).toBe(true);
    expect(early.state()).toEqual({ iteration: 30, score: 0.6, since: 2 });
    expect(early.summary()).toEqual({ iteration: 30, score: 0.6 });
  });

  it("continues from a checkpoint's state, and ignores a malformed one", () => {
    const resumed = new EarlyStopping(3, { iteration: 8, score: 0.9, since: 1 });
    expect(resumed.record(accuracy(0.8), 12)).toBe(false);
    expect(resumed.record(accuracy(0.85), 16)).toBe(false);
    expect(resumed.exhausted()).toBe(true);
    expect(new EarlyStopping(3, "junk").summary()).toBeUndefined();
    expect(new EarlyStopping(3, { iteration: 8 }).summary()).toBeUndefined();
  });
});
