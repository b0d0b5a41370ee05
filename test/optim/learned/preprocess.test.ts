import { describe, expect, it } from "vitest";
import * as ks from "../../../src/index.ts";

describe("preprocessGradient", () => {
  it("maps |g| ≥ e^-p to (log|g|/p, sign g) and smaller gradients to (−1, e^p g)", async () => {
    const p = 10;
    const g = [0.5, -3, 1e-6, -1e-5, 0, Math.exp(-p) * 1.01];
    const out = ks.optim.preprocessGradient(ks.tensor(g), p);
    expect(out.shape).toEqual([6, 2]);
    const want = g.flatMap((v) => (Math.abs(v) >= Math.exp(-p) ? [Math.log(Math.abs(v)) / p, Math.sign(v)] : [-1, Math.exp(p) * v]));
    const got = Array.from(await out.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    out.dispose();
  });

  it("flattens any shape and is a constant to autodiff", () => {
    const g = ks.grad((q: ks.TensorRecord) => ks.sum(ks.mul(ks.optim.preprocessGradient(q.g, 10), 1)))({ g: ks.tensor([[1, 2], [3, 4]]) });
    expect(g.g.shape).toEqual([2, 2]);
    expect(Array.from(g.g.dataSync())).toEqual([0, 0, 0, 0]);
    expect(() => ks.optim.preprocessGradient(ks.tensor([1]), -1)).toThrow(/p/);
  });
});
