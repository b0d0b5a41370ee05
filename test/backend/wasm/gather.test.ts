import { beforeAll, describe, it } from "vitest";
import type { GatherParams } from "../../../src/backend/backend.ts";
import { backends, expectSame, outputBoth, randomFloats, randomInts, readBoth, rng, uploadBoth, type Pair } from "./parity.ts";

describe("wasm gather and scatterAdd match the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  it("gathers and scatters with shared and batched indices, out-of-range ones included", () => {
    const random = rng(41);
    for (const [outer, axis, inner, count] of [[1, 5, 1, 3], [3, 4, 7, 9], [2, 10, 64, 5], [6, 1, 3, 4], [1, 60, 1, 300], [4, 3, 5, 0]]) {
      for (const batchedIndices of [false, true]) {
        for (const dtype of ["float32", "int32"] as const) {
          const p: GatherParams = { outer, axis, inner, count, batchedIndices };
          const idx = randomInts(batchedIndices ? outer * count : count, random, -1, axis + 1);
          const data = dtype === "float32" ? randomFloats(outer * axis * inner, random) : randomInts(outer * axis * inner, random, -9, 9);
          const [dw, dr] = uploadBoth(pair, data), [iw, ir] = uploadBoth(pair, idx);
          const [ow, or] = outputBoth(pair, dtype, outer * count * inner, 3);
          pair.wasm.gather(dw, iw, ow, p);
          pair.ref.gather(dr, ir, or, p);
          expectSame(...readBoth(pair, ow, or), `gather ${JSON.stringify(p)} ${dtype}`);
          const [sw, sr] = outputBoth(pair, dtype, outer * axis * inner, 3);
          pair.wasm.scatterAdd(ow, iw, sw, p);
          pair.ref.scatterAdd(or, ir, sr, p);
          expectSame(...readBoth(pair, sw, sr), `scatterAdd ${JSON.stringify(p)} ${dtype}`);
        }
      }
    }
  });
});
