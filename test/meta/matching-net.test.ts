import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm, itMatchesGoldenCase } from "./support.ts";
const { normalize } = ks.meta;

describe("matchingNet", () => {
  it("normalizes rows to unit length and leaves an all-zero row at zero", async () => {
    const z = ks.tensor([3, 4, 0, 0, 0, 0], [2, 3]);
    expect(Array.from(await normalize(z).data())).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, 0, 0]);
  });

  it("gives an all-zero embedding the clamped gradient w / 1e-8 (as PyTorch), not NaN", async () => {
    const z = ks.tensor([0, 0, 0, 1, 2, 2], [2, 3]);
    const w = ks.tensor([1, -2, 3, 0.5, 1, -1], [2, 3]);
    const g = ks.grad((p: { z: ks.Tensor }) => ks.sum(ks.mul(normalize(p.z), w)))({ z });
    const values = Array.from(await g.z.data());
    // Row 1 is zero: the norm is clamped at 1e-8, so the row is divided by a constant. Behind a ReLU that
    // zeroed it this meets a zero gradient, where the unclamped sqrt′(0) = ∞ made 0·∞ = NaN.
    [1, -2, 3].forEach((wi, i) => expect(values[i]! / (wi * 1e8)).toBeCloseTo(1, 5));
    // Row 2 (norm 3): d(z·w/|z|)/dz = w/|z| − (z·w) z/|z|³.
    const dot = 0.5 + 2 - 2;
    [0.5, 1, -1].forEach((wi, i) => expect(values[3 + i]).toBeCloseTo(wi / 3 - (dot * [1, 2, 2][i]!) / 27, 6));
  });

  itMatchesGoldenCase("conv4_matchingnet");
  itAdaptsLikeEveryAlgorithm("matchingnet", () => ({ algo: ks.meta.matchingNet(ks.nn.conv4({ hidden: 4, ways: 0, size: 16 })), batch: episodeBatch(2, 3, new ks.Rng(7)) }), false);

  it("adapts to the support embeddings and predicts class probabilities", async () => {
    const algo = ks.meta.matchingNet(ks.nn.mlp([2, 3]));
    const params = algo.init(new ks.Rng(1));
    const labels = ks.tensor(new Int32Array([0, 1, 1]), [1, 3], "int32");
    const task = algo.adapt(params, { x: ks.tensor([1, 0, 0, 1, 0, 2], [1, 3, 2]), y: labels, ways: 2 });
    expect(algo.adaptation.outputs).toBe("probabilities");
    const p = await algo.predict(task, ks.tensor([1, 0.5, -1, 0], [1, 2, 2])).data();
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    expect(p[2]! + p[3]!).toBeCloseTo(1, 6);
    // The task owns a view of the labels: disposing it leaves the caller's tensor alive.
    Object.values(task.tensors).forEach((t) => t.dispose());
    expect(Array.from(await labels.data())).toEqual([0, 1, 1]);
  });
});
