// spdInverse: values against the defining property A·X = I (computed on the host in float64) on the active
// backend, gradients and Hessian-vector products against float64 finite differences, input checks.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { type GradientCase, type Input, activeFloat, input, itChecksGradients, randomValues } from "../support/gradcheck.ts";

/** M·Mᵀ/d + ridge·I for a random d×d M, per batch element: SPD with eigenvalues ≥ ridge. */
function spd(batch: number, d: number, seed: number, ridge = 1, scale = 1): Float64Array {
  const m = randomValues(batch * d * d, seed);
  const out = new Float64Array(batch * d * d);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += m[b * d * d + i * d + k] * m[b * d * d + j * d + k];
        out[b * d * d + i * d + j] = (scale * s) / d + (i === j ? ridge : 0);
      }
    }
  }
  return out;
}

/** max |A·X − I| over the batch, in float64 on the host. */
function residual(a: Float64Array, x: ArrayLike<number>, batch: number, d: number): number {
  let worst = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += a[b * d * d + i * d + k] * x[b * d * d + k * d + j];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
  }
  return worst;
}

async function inverseResidual(a: Float64Array, shape: number[]): Promise<number> {
  const d = shape.at(-1)!;
  const batch = a.length / (d * d);
  const x = ks.tidy(() => ks.spdInverse(ks.tensor(a, shape, activeFloat())));
  const values = await x.data();
  x.dispose();
  return residual(a, values, batch, d);
}

describe("spdInverse", () => {
  it("inverts a batch of 64×64 covariances with a ridge (‖A‖_F/λ_min ≈ 50) to float32 accuracy", async () => {
    const a = spd(3, 64, 5, 1, 16);
    expect(await inverseResidual(a, [3, 64, 64])).toBeLessThan(activeFloat() === "float64" ? 1e-10 : 2e-4);
  });

  it("inverts an ill-conditioned SPD matrix (ridge 1e-3: ‖A‖_F/λ_min ≈ 10⁴) within float32 rounding", async () => {
    const a = spd(1, 16, 6, 1e-3);
    expect(await inverseResidual(a, [1, 16, 16])).toBeLessThan(activeFloat() === "float64" ? 1e-8 : 2e-2);
  });

  it("rejects non-square or integer input, and bad iteration counts", () => {
    expect(() => ks.spdInverse(ks.zeros([2, 3]))).toThrow("expected float square matrices [..., D, D], got float32 [2, 3]");
    expect(() => ks.spdInverse(ks.zeros([2, 2], "int32"))).toThrow(ks.KshotError);
    expect(() => ks.spdInverse(ks.eye(2), { iterations: 0 })).toThrow("iterations to be an integer from 1 to 100");
  });

  it("eye is the identity", async () => {
    expect(Array.from(await ks.eye(3).data())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

const near: Input = { shape: [2, 4, 4], values: spd(2, 4, 7, 0.5).map((v, i) => v + 0.01 * randomValues(32, 8)[i]!) };

const cases: GradientCase[] = [
  // Perturbed entry by entry, A is not exactly symmetric: the VJP is the general inverse's −XᵀGXᵀ.
  { name: "spdInverse", f: ([a]) => ks.spdInverse(a), inputs: [near] },
  { name: "spdInverse of M·Mᵀ + I", f: ([m]) => ks.spdInverse(ks.add(ks.matmul(m, m, { transB: true }), ks.eye(3, m.dtype))), inputs: [input([2, 3, 3], 9)] },
];

describe("spdInverse gradients", () => {
  for (const c of cases) itChecksGradients(c);
});
