import { beforeAll, describe, it } from "vitest";
import type { Pool2dParams } from "../../../src/backend/backend.ts";
import { backends, expectSame, outputBoth, randomFloats, readBoth, rng, uploadBoth, type Pair } from "./parity.ts";

describe("wasm maxPool2d matches the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  it("pools with first-maximum indices, ties, NaN (the first of several wins), signed zeros and -Infinity", () => {
    const random = rng(51);
    const cases: [number, number, number, number, number, number, number, number][] = [
      // batch, channels, inH, inW, kh, kw, strideH, strideW
      [2, 3, 28, 28, 2, 2, 2, 2], [2, 64, 14, 14, 2, 2, 2, 2], [3, 5, 7, 7, 2, 2, 2, 2], [1, 2, 3, 3, 2, 2, 2, 2],
      [2, 2, 9, 11, 3, 3, 1, 1], [1, 3, 10, 13, 3, 2, 2, 3], [1, 1, 1, 1, 1, 1, 1, 1], [2, 4, 17, 9, 2, 3, 1, 2],
    ];
    for (const [batch, channels, inH, inW, kh, kw, strideH, strideW] of cases) {
      const outH = Math.floor((inH - kh) / strideH) + 1, outW = Math.floor((inW - kw) / strideW) + 1;
      const p: Pool2dParams = { batch, channels, inH, inW, outH, outW, kh, kw, strideH, strideW };
      for (const variant of ["plain", "ties", "special", "dense"] as const) {
        const n = batch * channels * inH * inW;
        const x = randomFloats(n, random, 3);
        if (variant === "ties") for (let i = 0; i < n; i++) x[i] = Math.round(x[i]);
        if (variant === "special") for (let i = 0; i < n; i += 5) x[i] = [NaN, -Infinity, Infinity, -0][Math.floor(random() * 4)];
        if (variant === "special") for (let i = 0; i < Math.min(n, 40); i++) x[i] = -Infinity;
        // Several NaNs, signed zeros and equal values in one window: which one wins shows in the index.
        if (variant === "dense") for (let i = 0; i < n; i++) x[i] = [NaN, 0, -0, 1, x[i]!][Math.floor(random() * 5)]!;
        const [xw, xr] = uploadBoth(pair, x);
        const m = batch * channels * outH * outW;
        const [yw, yr] = outputBoth(pair, "float32", m, 5), [iw, ir] = outputBoth(pair, "int32", m, 5);
        pair.wasm.maxPool2d(xw, yw, iw, p);
        pair.ref.maxPool2d(xr, yr, ir, p);
        expectSame(...readBoth(pair, yw, yr), `y ${variant} ${JSON.stringify(p)}`);
        expectSame(...readBoth(pair, iw, ir), `indices ${variant} ${JSON.stringify(p)}`);
      }
    }
  });
});
