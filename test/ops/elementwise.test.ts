// Elementwise ops' values where naive formulas fail: the stable forms of softplus, logSigmoid, log1p and
// expm1 far from 0 and near 0, and clamp's bounds, NaN and argument check.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

async function values(t: ks.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function expectNear(got: number[], want: number[], rel = 1e-6): void {
  got.forEach((g, i) => {
    const w = want[i];
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else if (!Number.isFinite(w)) expect(g).toBe(w);
    else expect(Math.abs(g - w) <= rel * Math.abs(w) + 1e-30, `element ${i}: got ${g}, want ${w}`).toBe(true);
  });
}

describe("elementwise ops: stable forms", () => {
  it("softplus and logSigmoid neither overflow nor lose small values", async () => {
    const x = ks.tensor([-100, -20, 0, 20, 100, Infinity, -Infinity, NaN]);
    expectNear(await values(ks.softplus(x)), [Math.exp(-100), Math.log1p(Math.exp(-20)), Math.LN2, 20 + Math.exp(-20), 100, Infinity, 0, NaN]);
    expectNear(await values(ks.logSigmoid(x)), [-100, -20 - Math.exp(-20), -Math.LN2, -Math.exp(-20), -Math.exp(-100), 0, -Infinity, NaN]);
  });

  it("log1p and expm1 keep relative accuracy near 0", async () => {
    const x = ks.tensor([1e-10, -1e-7, 0.5, -1, -2, Infinity]);
    expectNear(await values(ks.log1p(x)), [1e-10, Math.log1p(-1e-7), Math.log1p(0.5), -Infinity, NaN, Infinity]);
    const y = ks.tensor([1e-10, -1e-7, 0.5, -Infinity, 50]);
    expectNear(await values(ks.expm1(y)), [1e-10, Math.expm1(-1e-7), Math.expm1(0.5), -1, Math.expm1(50)], 1e-5);
  });

  it("clamp limits to [lo, hi], keeps NaN, and checks its bounds", async () => {
    expect(await values(ks.clamp(ks.tensor([-3, -0.5, 0, 0.25, 2, NaN]), -0.5, 0.25))).toEqual([-0.5, -0.5, 0, 0.25, 0.25, NaN]);
    expect(() => ks.clamp(ks.tensor([1]), 1, 0)).toThrow(ks.KshotError);
    expect(() => ks.clamp(ks.tensor([1]), 1, 0)).toThrow(/expected lo ≤ hi, got 1 and 0/);
  });
});
