import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { EarlyStopping, validationScore } from "../../src/train/early-stopping.ts";
import type { EvaluationResult } from "../../src/train/evaluate.ts";

const accuracy = (a: number): EvaluationResult => ({ kind: "classification", accuracy: a, ci95: 0, episodes: 1, perEpisode: [a], loss: 0 });

describe("EarlyStopping", () => {
  it("scores accuracy, or minus the MSE after the most inner steps", () => {
    expect(validationScore(accuracy(0.75))).toBe(0.75);
    expect(validationScore({ kind: "regression", mse: { "1": 3, "10": 0.5, "5": 1 }, ci95: {}, episodes: 1 })).toBe(-0.5);
  });

  it("counts validations that do not beat the best (ties included) and keeps the best parameters", async () => {
    const early = new EarlyStopping(2);
    const p = (v: number) => ({ w: ks.tensor([v], [1]) });
    expect(early.record(accuracy(0.5), 10, p(1))).toBe(true);
    expect(early.record(accuracy(0.5), 20, p(2))).toBe(false);
    expect(early.exhausted()).toBe(false);
    expect(early.record(accuracy(0.6), 30, p(3))).toBe(true);
    expect(early.record(accuracy(0.4), 40, p(4))).toBe(false);
    expect(early.record(accuracy(Number.NaN), 50, p(5))).toBe(false);
    expect(early.exhausted()).toBe(true);
    expect(early.state()).toEqual({ iteration: 30, score: 0.6, since: 2 });
    const best = early.takeParams()!;
    expect(Array.from(await best.w!.data())).toEqual([3]);
    best.w!.dispose();
    early.dispose();
  });

  it("restores the best from a checkpoint's state, holding its parameters only when the checkpoint is the best", () => {
    const params = { w: ks.tensor([1], [1]) };
    const atBest = new EarlyStopping(3, { best: { iteration: 8, score: 0.9, since: 0 }, iteration: 8, params });
    expect(atBest.summary()).toEqual({ iteration: 8, score: 0.9 });
    expect(atBest.takeParams()).toBeDefined();
    const later = new EarlyStopping(3, { best: { iteration: 4, score: 0.9, since: 1 }, iteration: 8, params });
    expect(later.takeParams()).toBeUndefined();
    expect(new EarlyStopping(3, { best: "junk", iteration: 8, params }).hasBest()).toBe(false);
  });
});
