import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { clusterTasks, sineTasks } from "./fixtures.ts";
const { evaluate, meanAndCi95 } = ks;

describe("evaluate", () => {
  it("computes the 95% interval as 1.96·σ/√E with the population σ", () => {
    const r = meanAndCi95([1, 0, 1, 1]);
    expect(r.mean).toBe(0.75);
    expect(r.ci95).toBeCloseTo((1.96 * Math.sqrt(0.1875)) / 2, 14);
  });

  it("gives per-episode accuracies that do not depend on how many tasks run at once", async () => {
    const algo = ks.meta.protonet(ks.nn.mlp([4, 8]));
    const params = algo.init(new ks.Rng(0));
    const one = await evaluate(algo, params, clusterTasks(3), { episodes: 10, batch: 1 });
    const many = await evaluate(algo, params, clusterTasks(3), { episodes: 10, batch: 4 });
    if (one.kind !== "classification" || many.kind !== "classification") throw new Error("expected classification");
    expect(Array.from(many.perEpisode)).toEqual(Array.from(one.perEpisode));
    expect(one.episodes).toBe(10);
    const { mean, ci95 } = meanAndCi95(one.perEpisode);
    expect(one.accuracy).toBe(mean);
    expect(one.ci95).toBe(ci95);
    // Protonet on well-separated clusters classifies far above chance (1/3) even untrained.
    expect(one.accuracy).toBeGreaterThan(0.6);
  });

  it("reports the MSE after 1, 5 and 10 inner steps for regression, on the same tasks", async () => {
    const algo = ks.meta.maml(ks.nn.mlp([1, 16, 1]), { innerLr: 0.001, loss: "mse" });
    const params = algo.init(new ks.Rng(1));
    const r = await evaluate(algo, params, sineTasks(4, 10), { episodes: 6 });
    if (r.kind !== "regression") throw new Error("expected regression");
    expect(Object.keys(r.mse)).toEqual(["1", "5", "10"]);
    // Small steps of gradient descent on the support set bring the query error down.
    expect(r.mse["10"]).toBeLessThan(r.mse["5"]!);
    expect(r.mse["5"]).toBeLessThan(r.mse["1"]!);
    expect(r.ci95["1"]).toBeGreaterThan(0);
    const only = await evaluate(algo, params, sineTasks(4, 10), { episodes: 6, steps: 5 });
    if (only.kind !== "regression") throw new Error("expected regression");
    expect(only.mse).toEqual({ "5": r.mse["5"]! });

    // With no step, the MSE is the un-adapted model's on those six tasks.
    const zero = await evaluate(algo, params, sineTasks(4, 10), { episodes: 6, regressionSteps: [0] });
    const host = sineTasks(4, 10).nextBatch(6);
    const predicted = (await algo.model.apply(ks.meta.perTask(params, 6), ks.tensor(host.xQuery, [6, 10, 1])).data());
    let sum = 0;
    host.yQuery.forEach((y, i) => (sum += (predicted[i]! - y) ** 2));
    if (zero.kind !== "regression") throw new Error("expected regression");
    expect(zero.mse["0"]).toBeCloseTo(sum / 60, 5);
  });

  it("rejects bad settings", async () => {
    const algo = ks.meta.protonet(ks.nn.mlp([4, 8]));
    const params = algo.init(new ks.Rng(0));
    await expect(evaluate(algo, params, clusterTasks(), { episodes: 0 })).rejects.toThrow(/episodes to be a positive integer, got 0/);
    await expect(evaluate(algo, params, clusterTasks(), { batch: 1.5 })).rejects.toThrow(/batch to be a positive integer/);
    await expect(evaluate(algo, params, sineTasks(), {})).rejects.toThrow(/cannot be evaluated on regression tasks/);
  });

  it("throws on NaN parameters instead of reporting chance accuracy, and leaks nothing", async () => {
    const algo = ks.meta.protonet(ks.nn.mlp([4, 8]));
    const params = algo.init(new ks.Rng(0));
    const poisoned = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, ks.mul(t, NaN)]));
    const before = ks.memory().tensors;
    await expect(evaluate(algo, poisoned, clusterTasks(), { episodes: 4 })).rejects.toThrow(/evaluate: the query loss of episodes 1..4 is NaN/);
    expect(ks.memory().tensors).toBe(before);
    const maml = ks.meta.maml(ks.nn.mlp([1, 8, 1]), { innerLr: 1e30, loss: "mse" });
    const weights = maml.init(new ks.Rng(0));
    await expect(evaluate(maml, weights, sineTasks(4, 10), { episodes: 2, regressionSteps: [3] })).rejects.toThrow(/MSE after 3 steps of episodes 1..2 is (NaN|Infinity)/);
    [params, poisoned, weights].forEach((r) => Object.values(r).forEach((t) => t.dispose()));
  });
});
