import { beforeAll, describe, expect, it } from "vitest";
import type { CopyParams } from "../../../src/backend/backend.ts";
import { KshotError } from "../../../src/errors.ts";
import { backends, expectSame, outputBoth, randomFloats, readBoth, rng, uploadBoth, type Pair } from "./parity.ts";

function contiguous(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

describe("wasm copy, cast and fill match the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  function check(src: Float32Array, dstSize: number, p: CopyParams, what: string): void {
    const [sw, sr] = uploadBoth(pair, src);
    const [dw, dr] = outputBoth(pair, "float32", dstSize, -7);
    pair.wasm.copy(sw, dw, p);
    pair.ref.copy(sr, dr, p);
    expectSame(...readBoth(pair, dw, dr), what);
  }

  it("transposes, permutes, slices, pads and broadcasts, leaving unwritten elements alone", () => {
    const random = rng(31);
    let checked = 0;
    for (let trial = 0; trial < 80; trial++) {
      const rank = 1 + Math.floor(random() * 4);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(random() * (trial < 70 ? 7 : 40)));
      // Source: a bigger tensor, read through a permutation, a slice offset, or broadcast axes.
      const srcShape = shape.map((n) => n + Math.floor(random() * 3));
      const srcStrides = contiguous(srcShape);
      const perm = [...shape.keys()].sort(() => random() - 0.5);
      const readStrides = shape.map((_, d) => (random() < 0.15 ? 0 : srcStrides[perm[d]] ?? 0));
      const permShapeOk = shape.every((n, d) => readStrides[d] === 0 || n <= srcShape[perm[d]]);
      const strides = permShapeOk ? readStrides : srcStrides;
      const srcSize = srcShape.reduce((a, b) => a * b, 1);
      const srcOffset = Math.floor(random() * 2);
      // Destination: padded by a border, so some elements stay unwritten.
      const dstShape = shape.map((n) => n + (random() < 0.5 ? 2 : 0));
      const dstStrides = contiguous(dstShape);
      const dstSize = dstShape.reduce((a, b) => a * b, 1);
      const dstOffset = dstShape.every((n, d) => n > shape[d]) ? dstStrides.reduce((a, b) => a + b, 0) : 0;
      const p: CopyParams = { shape, srcStrides: strides, srcOffset, dstStrides, dstOffset };
      const maxRead = srcOffset + shape.reduce((a, n, d) => a + (n - 1) * strides[d], 0);
      if (maxRead >= srcSize + 1) continue;
      check(randomFloats(srcSize + 1, random), dstSize, p, JSON.stringify(p));
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it("handles negative strides (a flip) and rank 0", () => {
    const src = randomFloats(10, rng(32));
    check(src, 10, { shape: [10], srcStrides: [-1], srcOffset: 9, dstStrides: [1], dstOffset: 0 }, "flip");
    check(src, 3, { shape: [], srcStrides: [], srcOffset: 4, dstStrides: [], dstOffset: 2 }, "scalar");
  });

  it("rejects reads outside the source", () => {
    const [s] = uploadBoth(pair, new Float32Array(4));
    const [d] = outputBoth(pair, "float32", 8);
    expect(() => pair.wasm.copy(s, d, { shape: [8], srcStrides: [1], srcOffset: 0, dstStrides: [1], dstOffset: 0 })).toThrow(KshotError);
  });

  it("casts float32 ↔ int32 as typed-array stores do (truncation, wrap, NaN → 0)", () => {
    const x = new Float32Array([0, -0, 1.9, -1.9, 2.5, -2.5, NaN, Infinity, -Infinity, 2147483520, 2147483648, -2147483904, 3e9, -3e9, 1e20, 3.4e38, 7.99, -7.99]);
    const [xw, xr] = uploadBoth(pair, x);
    const [iw, ir] = outputBoth(pair, "int32", x.length);
    pair.wasm.cast(xw, iw);
    pair.ref.cast(xr, ir);
    expectSame(...readBoth(pair, iw, ir), "float→int");
    const ints = new Int32Array([0, 1, -1, 16777217, -16777217, 2147483647, -2147483648, 123456789]);
    const [jw, jr] = uploadBoth(pair, ints);
    const [fw, fr] = outputBoth(pair, "float32", ints.length);
    pair.wasm.cast(jw, fw);
    pair.ref.cast(jr, fr);
    expectSame(...readBoth(pair, fw, fr), "int→float");
    const [cw, cr] = outputBoth(pair, "float32", x.length);
    pair.wasm.cast(xw, cw);
    pair.ref.cast(xr, cr);
    expectSame(...readBoth(pair, cw, cr), "float→float");
  });

  it("fills as typed-array fills do", () => {
    for (const [dtype, value] of [["float32", 0.1], ["float32", NaN], ["float32", -Infinity], ["int32", 3.7], ["int32", -(2 ** 33) + 5], ["int32", NaN]] as const) {
      for (const n of [1, 5, 33]) {
        const [w, r] = outputBoth(pair, dtype, n, 9);
        pair.wasm.fill(w, value);
        pair.ref.fill(r, value);
        expectSame(...readBoth(pair, w, r), `fill ${dtype} ${value}`);
      }
    }
  });
});
