import { afterAll, describe, expect, it } from "vitest";
import type { GatherParams, Pool2dParams } from "../../../src/backend/backend.ts";
import { expectClose, randomFloats, randomInts, runBoth, seeded } from "../kernel-harness.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

function pool(batch: number, channels: number, inH: number, inW: number, k: number, stride: number): Pool2dParams {
  return {
    batch, channels, inH, inW, kh: k, kw: k, strideH: stride, strideW: stride,
    outH: Math.floor((inH - k) / stride) + 1, outW: Math.floor((inW - k) / stride) + 1,
  };
}

describe.skipIf(!gpu)("webgpu max-pool, gather, scatter-add", () => {
  const rand = seeded(6);

  it("max-pool 2x2 floor on odd sizes, 3x3 stride 2 overlapping, ties and NaN", async () => {
    for (const p of [pool(2, 3, 7, 9, 2, 2), pool(1, 2, 5, 5, 3, 2), pool(1, 1, 1, 1, 1, 1), pool(3, 4, 28, 28, 2, 2)]) {
      const n = p.batch * p.channels * p.inH * p.inW;
      // Few distinct values make ties, which must go to the first in scan order.
      const x = Float32Array.from(randomInts(n, rand, -3, 3));
      for (let i = 3; i < n; i += 41) x[i] = NaN;
      if (n > 7) x[7] = -Infinity;
      const outSize = p.batch * p.channels * p.outH * p.outW;
      const { got, want } = await runBoth(gpu!, [x], [{ dtype: "float32", size: outSize }, { dtype: "int32", size: outSize }],
        (b, [xi], [y, idx]) => b.maxPool2d(xi, y, idx, p));
      expectClose(got[0], want[0], {}, "pool values");
      expectClose(got[1], want[1], {}, "pool indices");
    }
  });

  it("gathers float32 and int32 with shared and batched indices, out-of-range reads 0", async () => {
    const cases: GatherParams[] = [
      { outer: 1, axis: 10, inner: 4, count: 7, batchedIndices: false },
      { outer: 3, axis: 5, inner: 1, count: 9, batchedIndices: true },
      { outer: 4, axis: 6, inner: 3, count: 2, batchedIndices: false },
    ];
    for (const p of cases) {
      const data = randomFloats(p.outer * p.axis * p.inner, rand);
      const idx = randomInts((p.batchedIndices ? p.outer : 1) * p.count, rand, -2, p.axis + 2);
      const outSize = p.outer * p.count * p.inner;
      const { got, want } = await runBoth(gpu!, [data, idx], [{ dtype: "float32", size: outSize }], (b, [d, i], [o]) => b.gather(d, i, o, p));
      expectClose(got[0], want[0], { rtol: 0, atol: 0 }, `gather ${JSON.stringify(p)}`);
      const idata = randomInts(data.length, rand, -100, 100);
      const r = await runBoth(gpu!, [idata, idx], [{ dtype: "int32", size: outSize }], (b, [d, i], [o]) => b.gather(d, i, o, p));
      expectClose(r.got[0], r.want[0], {}, "gather int32");
    }
  });

  it("scatter-adds deterministically in index order (exactly the reference's sums), dropping out-of-range", async () => {
    const cases: GatherParams[] = [
      { outer: 1, axis: 5, inner: 8, count: 75, batchedIndices: false },
      { outer: 6, axis: 12, inner: 1, count: 9, batchedIndices: true },
      { outer: 2, axis: 3, inner: 5, count: 40, batchedIndices: true },
      { outer: 3, axis: 4, inner: 2, count: 0, batchedIndices: false },
    ];
    for (const p of cases) {
      const src = randomFloats(p.outer * p.count * p.inner, rand, -10, 10);
      const idx = randomInts((p.batchedIndices ? p.outer : 1) * p.count, rand, -1, p.axis + 1);
      const outSize = p.outer * p.axis * p.inner;
      const init = new Float32Array(outSize).fill(123);
      const { got, want } = await runBoth(gpu!, [src, idx], [{ dtype: "float32", size: outSize, init }], (b, [s, i], [o]) => b.scatterAdd(s, i, o, p));
      expectClose(got[0], want[0], { rtol: 0, atol: 0 }, `scatterAdd ${JSON.stringify(p)}`);
    }
  });

  it("max-pool backward as scatter-add with batched indices", async () => {
    const p = pool(2, 3, 9, 7, 2, 2);
    const planes = p.batch * p.channels;
    const x = randomFloats(planes * p.inH * p.inW, rand);
    const outSize = planes * p.outH * p.outW;
    const dy = randomFloats(outSize, rand);
    const xb = gpu!.allocate("float32", x.length);
    gpu!.write(xb, x);
    const y = gpu!.allocate("float32", outSize);
    const idx = gpu!.allocate("int32", outSize);
    gpu!.maxPool2d(xb, y, idx, p);
    const indices = await gpu!.read(idx) as Int32Array;
    const gp: GatherParams = { outer: planes, axis: p.inH * p.inW, inner: 1, count: p.outH * p.outW, batchedIndices: true };
    const { got, want } = await runBoth(gpu!, [dy, indices], [{ dtype: "float32", size: x.length }], (b, [d, i], [dx]) => b.scatterAdd(d, i, dx, gp));
    expectClose(got[0], want[0], { rtol: 0, atol: 0 }, "pool backward");
    expect(got[0].filter((v) => v !== 0).length).toBe(outSize);
    for (const b of [xb, y, idx]) gpu!.free(b);
  });
});
