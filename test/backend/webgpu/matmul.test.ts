import { afterAll, describe, it } from "vitest";
import type { MatmulParams } from "../../../src/backend/backend.ts";
import { expectClose, randomFloats, runBoth, seeded } from "../kernel-harness.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

function params(batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, broadcastB = false): MatmulParams {
  return { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: broadcastB ? 0 : k * n };
}

async function check(p: MatmulParams, rand: () => number, what: string): Promise<void> {
  const a = randomFloats(Math.max(1, p.batch * p.m * p.k), rand, -1, 1);
  const bSize = p.bBatchStride === 0 ? p.k * p.n : p.batch * p.k * p.n;
  const b = randomFloats(Math.max(1, bSize), rand, -1, 1);
  const { got, want } = await runBoth(gpu!, [a, b], [{ dtype: "float32", size: p.batch * p.m * p.n }],
    (be, [ai, bi], [o]) => be.matmul(ai, bi, o, p));
  expectClose(got[0], want[0], { rtol: 1e-4, atol: 1e-4 * Math.sqrt(p.k) }, what);
}

describe.skipIf(!gpu)("webgpu matmul", () => {
  const rand = seeded(4);

  // Each transpose / vec4 / tile combination is a pipeline, and a CPU adapter compiles one in seconds:
  // the cases cover every combination once rather than their product.
  it("matches the reference for every transpose combination (odd shapes: scalar loads)", async () => {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      await check(params(2, 17, 33, 19, transA, transB), rand, `17x19 . 19x33 tA=${transA} tB=${transB}`);
    }
  });

  it("matches the reference for every transpose combination (multiples of 4: vec4 loads)", async () => {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      await check(params(2, 20, 36, 12, transA, transB), rand, `20x12 . 12x36 tA=${transA} tB=${transB}`);
    }
  });

  it("matches the reference on 1-sized, thin and tile-edge shapes", async () => {
    for (const [batch, m, n, k] of [[1, 1, 1, 1], [1, 70, 5, 130], [3, 5, 70, 9], [1, 64, 64, 64], [1, 65, 65, 17]]) {
      await check(params(batch, m, n, k, false, false), rand, `[${batch}] ${m}x${k} . ${k}x${n}`);
    }
  });

  it("broadcasts one b to every batch entry (batch stride 0)", async () => {
    await check(params(5, 9, 16, 12, false, false, true), rand, "broadcast b");
    await check(params(3, 8, 8, 8, true, true, true), rand, "broadcast b, transposed");
  });

  it("splits a long K across workgroups and sums the parts (few outputs, K = 3000)", async () => {
    await check(params(1, 6, 10, 3000, true, false), rand, "split-K 6x10, k 3000");
    await check(params(2, 64, 64, 1100, false, true), rand, "split-K 2x64x64, k 1100");
  });

  it("handles k = 0 (zeros) and a large 256 x 256 product", async () => {
    await check(params(2, 3, 4, 0, false, false), rand, "k = 0");
    await check(params(1, 256, 256, 256, false, false), rand, "256^3");
  });
});
