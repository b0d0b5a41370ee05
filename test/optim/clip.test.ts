import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { clipByGlobalNorm, globalNorm } from "../../src/optim/clip.ts";

describe("gradient clipping", () => {
  it("computes the global norm over every gradient", () => {
    const n = globalNorm({ a: ks.tensor([3, 0]), b: ks.tensor([[4]]) });
    expect(n.dataSync()[0]).toBe(5);
  });

  it("scales by maxNorm / (norm + 1e-6) above the limit and leaves smaller gradients alone", () => {
    const big = clipByGlobalNorm({ a: ks.tensor(new Float64Array([3, 4])) }, 1);
    const a = Array.from(big.grads.a!.dataSync());
    expect(a[0]).toBeCloseTo(3 / (5 + 1e-6), 12);
    expect(a[1]).toBeCloseTo(4 / (5 + 1e-6), 12);
    expect(big.norm.dataSync()[0]).toBe(5);
    const small = clipByGlobalNorm({ a: ks.tensor([0.3, 0.4]) }, 1);
    expect(Array.from(small.grads.a!.dataSync())).toEqual(Array.from(ks.tensor([0.3, 0.4]).dataSync()));
    expect(() => clipByGlobalNorm({}, -1)).toThrow(/maxNorm/);
  });
});
