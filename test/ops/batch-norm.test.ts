// batchNorm's second-order VJPs: where nothing records they reuse the forward's statistics and the backward
// kernel; where the outer backward records (third order) they are composite ops. Both must give the same
// Hessian-vector product (each is also checked against finite differences in gradients.test.ts).
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { Tensor } from "../../src/tensor.ts";
import { activeFloat as dtype } from "../support/gradcheck.ts";

const values = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 1.5);

async function hvp(shape: number[], createGraph: boolean): Promise<number[][]> {
  const c = shape[1]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const w = ks.tensor(values(size, 3), shape, dtype());
  const v = { x: ks.tensor(values(size, 4), shape, dtype()), g: ks.tensor(values(c, 5), [c], dtype()), b: ks.tensor(values(c, 6), [c], dtype()) };
  // A loss whose cotangent into the backward depends on x (through the square), so every VJP term is used.
  const loss = (p: Record<string, Tensor>) => ks.sum(ks.mul(ks.square(ks.batchNorm(p.x!, p.g!, p.b!)), w));
  const gv = (p: Record<string, Tensor>) => {
    const g = ks.grad(loss)(p);
    return ks.add(ks.add(ks.sum(ks.mul(g.x!, v.x)), ks.sum(ks.mul(g.g!, v.g))), ks.sum(ks.mul(g.b!, v.b)));
  };
  const params = { x: ks.tensor(values(size, 1), shape, dtype()), g: ks.tensor(values(c, 2), [c], dtype()), b: ks.tensor(values(c, 7), [c], dtype()) };
  const h = ks.tidy(() => ks.valueAndGrad(gv, { createGraph })(params).grads);
  const out = await Promise.all(["x", "g", "b"].map(async (k) => Array.from(await h[k as "x"].data())));
  for (const t of [w, ...Object.values(v), ...Object.values(params), ...Object.values(h)]) t.dispose();
  return out;
}

describe("batchNorm second order", () => {
  for (const shape of [[3, 2, 3, 2], [5, 3]]) {
    it(`the statistics-reusing VJPs equal the composite ones (x ${JSON.stringify(shape)})`, async () => {
      const fast = await hvp(shape, false);
      const composite = await hvp(shape, true);
      const tolerance = dtype() === "float64" ? 1e-10 : 2e-4;
      for (let k = 0; k < 3; k++) {
        const scale = Math.max(1, ...composite[k]!.map(Math.abs));
        for (let i = 0; i < composite[k]!.length; i++) expect(Math.abs(fast[k]![i]! - composite[k]![i]!) / scale).toBeLessThan(tolerance);
      }
    });
  }
});
