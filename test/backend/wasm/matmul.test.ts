import { beforeAll, describe, expect, it } from "vitest";
import type { MatmulParams } from "../../../src/backend/backend.ts";
import { KshotError } from "../../../src/errors.ts";
import { backends, expectClose, outputBoth, randomFloats, readBoth, rng, uploadBoth, type Pair } from "./parity.ts";

/** Σ|a·b| per output element: the scale of a dot product's rounding error. */
function absScale(a: Float32Array, b: Float32Array, p: MatmulParams): Float64Array {
  const out = new Float64Array(p.batch * p.m * p.n);
  for (let t = 0; t < p.batch; t++) {
    for (let i = 0; i < p.m; i++) {
      for (let j = 0; j < p.n; j++) {
        let s = 0;
        for (let l = 0; l < p.k; l++) {
          const av = a[t * p.aBatchStride + (p.transA ? l * p.m + i : i * p.k + l)];
          const bv = b[t * p.bBatchStride + (p.transB ? j * p.k + l : l * p.n + j)];
          s += Math.abs(av * bv);
        }
        out[(t * p.m + i) * p.n + j] = s;
      }
    }
  }
  return out;
}

describe("wasm matmul matches the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  function check(p: MatmulParams, random: () => number, special = false): void {
    const aSize = p.batch === 0 ? 0 : (p.batch - 1) * p.aBatchStride + p.m * p.k;
    const bSize = p.batch === 0 ? 0 : (p.batch - 1) * p.bBatchStride + p.k * p.n;
    const a = randomFloats(aSize, random), b = randomFloats(bSize, random);
    if (special && aSize > 3) { a[1] = NaN; a[aSize - 1] = Infinity; }
    const [aw, ar] = uploadBoth(pair, a), [bw, br] = uploadBoth(pair, b);
    const [yw, yr] = outputBoth(pair, "float32", p.batch * p.m * p.n, 9);
    pair.wasm.matmul(aw, bw, yw, p);
    pair.ref.matmul(ar, br, yr, p);
    const [got, want] = readBoth(pair, yw, yr);
    expectClose(got, want, 1e-5, absScale(a, b, p), 1e-30, JSON.stringify(p));
  }

  it("computes random shapes with every transpose combination", () => {
    const random = rng(61);
    const dims = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 65];
    for (let trial = 0; trial < 120; trial++) {
      const m = dims[Math.floor(random() * dims.length)], n = dims[Math.floor(random() * dims.length)];
      const k = dims[Math.floor(random() * dims.length)];
      const transA = random() < 0.5, transB = random() < 0.5;
      check({ batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 }, random);
    }
  });

  it("handles batches, broadcast operands (stride 0) and the stacked-rows path", () => {
    const random = rng(62);
    for (const [batch, m, n, k] of [[3, 5, 7, 9], [4, 1, 1, 1], [32, 5, 64, 64], [6, 13, 4, 17], [2, 0, 3, 4]]) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        check({ batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n }, random);
        check({ batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: 0 }, random);
        check({ batch, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: k * n }, random);
      }
    }
  });

  it("handles large shapes that cross the cache blocks (depth, rows and columns), and k = 0", () => {
    const random = rng(63);
    check({ batch: 1, m: 130, n: 67, k: 700, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }, random);
    check({ batch: 1, m: 261, n: 37, k: 45, transA: true, transB: true, aBatchStride: 0, bBatchStride: 0 }, random);
    check({ batch: 1, m: 6, n: 2100, k: 5, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 }, random);
    check({ batch: 2, m: 3, n: 4, k: 0, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }, random);
  });

  it("propagates NaN and Inf", () => {
    const random = rng(64);
    check({ batch: 1, m: 9, n: 10, k: 11, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }, random, true);
  });

  it("rejects buffers too small for the shapes", () => {
    const [a] = uploadBoth(pair, new Float32Array(6));
    const [b] = uploadBoth(pair, new Float32Array(6));
    const [y] = outputBoth(pair, "float32", 4);
    expect(() => pair.wasm.matmul(a, b, y, { batch: 1, m: 2, n: 2, k: 4, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }))
      .toThrow(KshotError);
  });
});
