import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { digits, wide } from "./precision.ts";
const { clipByGlobalNorm, globalNorm } = ks.optim;

describe("gradient clipping", () => {
  it("computes the global norm over every gradient", async () => {
    const n = globalNorm({ a: ks.tensor([3, 0]), b: ks.tensor([[4]]) });
    expect((await n.data())[0]).toBe(5);
  });

  it("scales by maxNorm / (norm + 1e-6) above the limit and leaves smaller gradients alone", async () => {
    const big = clipByGlobalNorm({ a: ks.tensor(wide([3, 4])) }, 1);
    const a = Array.from((await big.grads.a!.data()));
    expect(a[0]).toBeCloseTo(3 / (5 + 1e-6), digits());
    expect(a[1]).toBeCloseTo(4 / (5 + 1e-6), digits());
    expect((await big.norm.data())[0]).toBe(5);
    const small = clipByGlobalNorm({ a: ks.tensor([0.3, 0.4]) }, 1);
    expect(Array.from((await small.grads.a!.data()))).toEqual(Array.from((await ks.tensor([0.3, 0.4]).data())));
    expect(() => clipByGlobalNorm({}, -1)).toThrow(/maxNorm/);
  });
});
