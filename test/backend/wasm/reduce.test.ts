import { beforeAll, describe, it } from "vitest";
import type { ReduceOp } from "../../../src/backend/backend.ts";
import { backends, expectClose, expectSame, outputBoth, randomFloats, randomInts, readBoth, rng, uploadBoth, type Pair } from "./parity.ts";

const OPS: ReduceOp[] = ["sum", "max", "min", "argmax"];
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [3, 5, 1], [2, 1, 9], [4, 13, 3], [2, 9, 17], [1, 1000, 1], [5, 37, 64], [3, 600, 5], [1, 4, 1029], [6, 0, 3],
];

describe("wasm reduce matches the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  it("float32 sum/max/min/argmax over [outer, reduce, inner], with NaN, ±Inf, ±0 and ties", () => {
    const random = rng(21);
    for (const [outer, reduce, inner] of SHAPES) {
      for (const variant of ["plain", "ties", "special"] as const) {
        const n = outer * reduce * inner;
        const x = randomFloats(n, random, 10);
        if (variant === "ties") for (let i = 0; i < n; i++) x[i] = Math.round(x[i] / 5) * (random() < 0.5 ? 0 : 1);
        if (variant === "special") for (let i = 0; i < n; i += 11) x[i] = [NaN, Infinity, -Infinity, -0][Math.floor(random() * 4)];
        for (const op of OPS) {
          const [xw, xr] = uploadBoth(pair, x);
          const [yw, yr] = outputBoth(pair, op === "argmax" ? "int32" : "float32", outer * inner, 7);
          pair.wasm.reduce(op, xw, yw, outer, reduce, inner);
          pair.ref.reduce(op, xr, yr, outer, reduce, inner);
          const [got, want] = readBoth(pair, yw, yr);
          const what = `${op} ${variant} [${outer},${reduce},${inner}]`;
          if (op !== "sum") { expectSame(got, want, what); continue; }
          // Scale: Σ|x| per output (the sums run in f64 on both sides, in different orders).
          const scale = new Float64Array(outer * inner);
          for (let o = 0; o < outer; o++) for (let r = 0; r < reduce; r++) for (let i = 0; i < inner; i++) scale[o * inner + i] += Math.abs(x[(o * reduce + r) * inner + i]);
          expectClose(got, want, 1e-7, scale, 0, what);
        }
      }
    }
  });

  it("int32 sum/max/min/argmax", () => {
    const random = rng(22);
    for (const [outer, reduce, inner] of SHAPES) {
      const x = randomInts(outer * reduce * inner, random, -1000, 1000);
      for (const op of OPS) {
        const [xw, xr] = uploadBoth(pair, x);
        const [yw, yr] = outputBoth(pair, "int32", outer * inner, 7);
        pair.wasm.reduce(op, xw, yw, outer, reduce, inner);
        pair.ref.reduce(op, xr, yr, outer, reduce, inner);
        expectSame(...readBoth(pair, yw, yr), `${op} int32 [${outer},${reduce},${inner}]`);
      }
    }
  });
});
