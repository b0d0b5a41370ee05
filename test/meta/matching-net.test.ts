import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { input, itChecksGradients } from "../support/gradcheck.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm, itMatchesGoldenCase } from "./support.ts";
const { normalize, matchingProbabilities } = ks.meta;

/** Attention probabilities by hand (one task): softmax over q·s/‖s‖ (and /‖q‖ for "both"), summed per class. */
function byHand(support: number[][], labels: number[], query: number[], ways: number, form: ks.meta.CosineNormalization): number[] {
  const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  const logits = support.map((s) => s.reduce((a, x, i) => a + x * query[i]!, 0) / norm(s) / (form === "both" ? norm(query) : 1));
  const e = logits.map(Math.exp);
  const total = e.reduce((a, b) => a + b, 0);
  return Array.from({ length: ways }, (_, c) => e.reduce((a, v, i) => a + (labels[i] === c ? v / total : 0), 0));
}

const labels3 = () => ks.tensor(new Int32Array([0, 1, 1]), [1, 3], "int32");

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

  for (const form of ks.meta.COSINE_NORMALIZATIONS) {
    it(`computes the ${form === "support" ? "support-normalised" : "true"} cosine attention (normalize: "${form}")`, async () => {
      const support = [[1, 2, 0], [0, 1, 1], [3, -1, 2]];
      const query = [2, 0.5, -1];
      const p = matchingProbabilities(ks.tensor(support.flat(), [1, 3, 3]), labels3(), ks.tensor(query, [1, 1, 3]), 2, form);
      const want = byHand(support, [0, 1, 1], query, 2, form);
      Array.from(await p.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    });

    // Loss of a 2-way task through both forms: support [1, 3, 4], query [1, 2, 4], labels fixed.
    itChecksGradients({
      name: `matching loss (normalize: "${form}")`,
      f: ([s, q]) => {
        const probabilities = matchingProbabilities(s!, ks.tensor(new Int32Array([0, 1, 1]), [1, 3], "int32"), q!, 2, form);
        return ks.log(probabilities);
      },
      inputs: [input([1, 3, 4], 11), input([1, 2, 4], 12)],
    });
  }

  it("defaults to the support-normalised form, stores it, and rebuilds a checkpoint without it as a true cosine", () => {
    const model = ks.nn.mlp([2, 3]);
    expect(ks.meta.matchingNet(model).options).toEqual({ normalize: "support" });
    expect(ks.meta.matchingNet(model, { normalize: "both" }).options).toEqual({ normalize: "both" });
    expect(ks.createAlgorithm("matchingnet", model, { normalize: "support" }).options).toEqual({ normalize: "support" });
    expect(ks.createAlgorithm("matchingnet", model, {}).options).toEqual({ normalize: "both" });
    expect(() => ks.meta.matchingNet(model, { normalize: "query" as "both" })).toThrow(/normalize must be "support" or "both", got "query"/);
    expect(() => ks.createAlgorithm("matchingnet", model, { normalize: 1 })).toThrow(/normalize: expected a string/);
  });
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
