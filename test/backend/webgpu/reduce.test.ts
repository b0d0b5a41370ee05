import { afterAll, describe, it } from "vitest";
import type { ReduceOp } from "../../../src/backend/backend.ts";
import { expectClose, randomFloats, randomInts, runBoth, seeded } from "../kernel-harness.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

const OPS: ReduceOp[] = ["sum", "max", "min", "argmax"];
// [outer, reduce, inner]: row kernels (long reduce, few outputs / inner 1) and column kernels.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 1000, 1], [7, 300, 1], [3, 65, 5], [2, 3000, 3], [50, 10, 40], [1, 17, 4099], [4, 1, 9], [3, 0, 2],
];

describe.skipIf(!gpu)("webgpu reduce", () => {
  const rand = seeded(3);

  it("sum, max, min, argmax match the reference on row and column layouts", async () => {
    for (const [outer, size, inner] of SHAPES) {
      const x = randomFloats(outer * size * inner, rand, -10, 10);
      for (const op of OPS) {
        const dtype = op === "argmax" ? "int32" : "float32";
        const { got, want } = await runBoth(gpu!, [x], [{ dtype, size: outer * inner }],
          (b, [xi], [o]) => b.reduce(op, xi, o, outer, size, inner));
        // Tree sums round differently from the sequential reference.
        expectClose(got[0], want[0], { rtol: 1e-5, atol: 1e-4 }, `${op} [${outer}, ${size}, ${inner}]`);
      }
    }
  });

  it("NaN wins max/min and argmax points at the first NaN; ties go to the first index", async () => {
    for (const [outer, size, inner] of [[2, 9, 1], [1, 500, 1], [2, 300, 3], [3, 7, 70]] as [number, number, number][]) {
      const x = randomInts(outer * size * inner, rand, -3, 3).reduce((a, v, i) => (a[i] = v, a), new Float32Array(outer * size * inner));
      for (let i = 5; i < x.length; i += 97) x[i] = NaN;
      x[1] = Infinity;
      x[2] = -Infinity;
      for (const op of OPS) {
        const dtype = op === "argmax" ? "int32" : "float32";
        const { got, want } = await runBoth(gpu!, [x], [{ dtype, size: outer * inner }],
          (b, [xi], [o]) => b.reduce(op, xi, o, outer, size, inner));
        expectClose(got[0], want[0], {}, `${op} with NaN [${outer}, ${size}, ${inner}]`);
      }
    }
  });

  it("reduces int32", async () => {
    for (const [outer, size, inner] of [[3, 100, 1], [2, 5, 9], [1, 0, 3]] as [number, number, number][]) {
      const x = randomInts(outer * size * inner, rand, -1000, 1000);
      for (const op of OPS) {
        const { got, want } = await runBoth(gpu!, [x], [{ dtype: "int32", size: outer * inner }],
          (b, [xi], [o]) => b.reduce(op, xi, o, outer, size, inner));
        expectClose(got[0], want[0], {}, `int32 ${op} [${outer}, ${size}, ${inner}]`);
      }
    }
  });
});
