import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

describe("mlp", () => {
  it("defaults to MAML's sinusoid regressor 1-40-40-1", () => {
    const model = ks.nn.mlp();
    expect(model.paramShapes).toEqual({ "fc0.weight": [40, 1], "fc0.bias": [40], "fc1.weight": [40, 40], "fc1.bias": [40], "fc2.weight": [1, 40], "fc2.bias": [1] });
    expect(model.config).toEqual({ sizes: "1,40,40,1" });
  });

  it("computes linear layers with ReLU between them, per task", async () => {
    const model = ks.nn.mlp([2, 2, 1]);
    const params: ks.TensorRecord = {
      "fc0.weight": ks.tensor([1, 0, 0, -1, 2, 1, 1, 1], [2, 2, 2]),
      "fc0.bias": ks.tensor([0, 0, 0, -1], [2, 2]),
      "fc1.weight": ks.tensor([1, 1, 1, -1], [2, 1, 2]),
      "fc1.bias": ks.tensor([0.5, 0], [2, 1]),
    };
    const x = ks.tensor([3, 4, 1, 1], [2, 1, 2]);
    // Task 0: relu([3, −4]) = [3, 0] → 3 + 0 + 0.5. Task 1: relu([3, 2 − 1]) = [3, 1] → 3 − 1.
    expect(Array.from(await model.apply(params, x).data())).toEqual([3.5, 2]);
  });

  it("initialises from the seed with fan-in bounds", async () => {
    const model = ks.nn.mlp([4, 3]);
    const w = await model.init(new ks.Rng(0))["fc0.weight"]!.data();
    expect(Array.from(w).every((v) => Math.abs(v) <= 1 / Math.sqrt(4))).toBe(true);
    expect(Array.from(await model.init(new ks.Rng(0))["fc0.weight"]!.data())).toEqual(Array.from(w));
  });

  it("names bad sizes and inputs", () => {
    expect(() => ks.nn.mlp([3])).toThrow(/mlp: expected at least two positive integer layer sizes, got \[3\]/);
    const model = ks.nn.mlp([2, 1]);
    const params = ks.meta.perTask(model.init(new ks.Rng(0)), 1);
    expect(() => model.apply(params, ks.zeros([1, 3, 3]))).toThrow(/mlp: expected x \[tasks, batch, 2\], got \[1, 3, 3\]/);
  });
});
