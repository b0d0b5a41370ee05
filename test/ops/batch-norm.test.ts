// batchNorm's second-order VJPs: where nothing records they reuse the forward's statistics and the backward
// kernel; where the outer backward records (third order) they are composite ops. Both must give the same
// Hessian-vector product (each is also checked against finite differences in gradients.test.ts).
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { activeFloat, activeHvp, input } from "../support/gradcheck.ts";

// A loss whose cotangent into the backward depends on x (through the square), so every VJP term is used.
const f = ([x, g, b]: ks.Tensor[]) => ks.square(ks.batchNorm(x!, g!, b!));

describe("batchNorm second order", () => {
  for (const shape of [[3, 2, 3, 2], [5, 3]]) {
    it(`the statistics-reusing VJPs equal the composite ones (x ${JSON.stringify(shape)})`, async () => {
      const c = shape[1]!;
      const inputs = [input(shape, 1, -1.5, 1.5), input([c], 2, -1.5, 1.5), input([c], 7, -1.5, 1.5)];
      const fast = await activeHvp(f, inputs);
      const composite = await activeHvp(f, inputs, { createGraph: true });
      const tolerance = activeFloat() === "float64" ? 1e-10 : 2e-4;
      for (let k = 0; k < 3; k++) {
        const scale = Math.max(1, ...Array.from(composite[k]!, Math.abs));
        for (let i = 0; i < composite[k]!.length; i++) expect(Math.abs(fast[k]![i]! - composite[k]![i]!) / scale).toBeLessThan(tolerance);
      }
    });
  }
});
