// BatchNorm with given statistics (what Learner.predict normalises with), through Conv-4, whose blocks use
// it: collecting a batch's statistics reproduces ordinary batch normalisation, and applying them to one
// example reproduces that example's row. Linear layers: through the MLP (test/nn/mlp.test.ts).
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

const maxDifference = async (a: ks.Tensor, b: ks.Tensor) => {
  const [x, y] = [Array.from(await a.data()), Array.from(await b.data())];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
};

describe("conv4 BatchNorm statistics", () => {
  it("collect gives the batch's own normalisation; given statistics reproduce it example by example", async () => {
    const model = ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
    const params = model.init(new ks.Rng(1));
    const tasks = ks.meta.perTask(params, 2);
    const rng = new ks.Rng(2);
    const x = ks.tensor(Float32Array.from({ length: 2 * 5 * 256 }, () => rng.normal()), [2, 5, 1, 16, 16]);
    const plain = model.apply(tasks, x);
    const collect: ks.nn.BatchNormStatistics[] = [];
    const collected = (model as ks.nn.Conv4Model).apply(tasks, x, { batchNorm: { collect } });
    expect(collect).toHaveLength(4);
    expect(collect[0]!.mean.shape).toEqual([2, 4]);
    expect(await maxDifference(plain, collected)).toBeLessThan(1e-5);

    const again = (model as ks.nn.Conv4Model).apply(tasks, x, { batchNorm: { statistics: collect } });
    expect(await again.data()).toEqual(await collected.data());
    const one = ks.slice(x, [0, 2, 0, 0, 0], [2, 1, 1, 16, 16]);
    const single = (model as ks.nn.Conv4Model).apply(tasks, one, { batchNorm: { statistics: collect } });
    expect(await maxDifference(single, ks.slice(collected, [0, 2, 0], [2, 1, 3]))).toBeLessThan(1e-5);
    expect(() => (model as ks.nn.Conv4Model).apply(tasks, x, { batchNorm: { statistics: collect.slice(1) } })).toThrow("statistics for 4 layers, got 3");
  });
});
