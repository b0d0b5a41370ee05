import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

const images = (tasks: number, batch: number, seed: number, size = 16) => {
  const rng = new ks.Rng(seed);
  return ks.tensor(Float32Array.from({ length: tasks * batch * size * size }, () => rng.normal()), [tasks, batch, 1, size, size]);
};

describe("conv4", () => {
  it("has four conv + BatchNorm blocks and an optional head; 16×16 → 1×1 features", () => {
    const model = ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
    expect(model.paramShapes["conv0.weight"]).toEqual([4, 1, 3, 3]);
    expect(model.paramShapes["conv3.weight"]).toEqual([4, 4, 3, 3]);
    expect(model.paramShapes["bn2.bias"]).toEqual([4]);
    expect(model.paramShapes["head.weight"]).toEqual([3, 4]);
    expect(Object.keys(ks.nn.conv4({ hidden: 4, ways: 0, size: 16 }).paramShapes).some((k) => k.startsWith("head"))).toBe(false);
    expect(model.inputShape).toEqual([1, 16, 16]);
    expect(model.config).toEqual({ hidden: 4, ways: 3, channels: 1, size: 16 });
  });

  it("initialises deterministically: BatchNorm at identity, the rest from the seed", async () => {
    const model = ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
    const a = model.init(new ks.Rng(1));
    const b = model.init(new ks.Rng(1));
    expect(Array.from(await a["conv1.weight"]!.data())).toEqual(Array.from(await b["conv1.weight"]!.data()));
    expect(Array.from(await a["bn0.weight"]!.data())).toEqual([1, 1, 1, 1]);
    expect(Array.from(await a["bn0.bias"]!.data())).toEqual([0, 0, 0, 0]);
  });

  it("runs T tasks at once: each task's output is what it gives alone", async () => {
    const model = ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
    const rng = new ks.Rng(2);
    const one = model.init(rng);
    const two = model.init(rng);
    const x = images(2, 5, 3);
    const stacked = Object.fromEntries(Object.keys(one).map((k) => [k, ks.stack([one[k]!, two[k]!], 0)]));
    const both = model.apply(stacked, x);
    expect(both.shape).toEqual([2, 5, 3]);
    const second = model.apply(ks.meta.perTask(two, 1), ks.slice(x, [1, 0, 0, 0, 0], [1, -1, -1, -1, -1]));
    const want = Array.from(await second.data());
    Array.from((await both.data()).subarray(15)).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it("names bad configurations and inputs", () => {
    expect(() => ks.nn.conv4({ hidden: 0 })).toThrow(/conv4: expected hidden to be a positive integer, got 0/);
    expect(() => ks.nn.conv4({ ways: -1 })).toThrow(/conv4: expected ways to be a non-negative integer, got -1/);
    expect(() => ks.nn.conv4({ size: 8 })).toThrow(/too small for four 2×2 pools/);
    const model = ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
    const params = ks.meta.perTask(model.init(new ks.Rng(0)), 1);
    expect(() => model.apply(params, images(1, 2, 0, 28))).toThrow(/conv4: expected x \[tasks, batch, 1, 16, 16\], got \[1, 2, 1, 28, 28\]/);
  });
});
