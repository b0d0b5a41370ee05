import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
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
});
