import { beforeAll, describe, expect, it } from "vitest";
import type { BackendBuffer, Conv2dParams } from "../../../src/backend/backend.ts";
import { KshotError } from "../../../src/errors.ts";
import { backends, expectClose, outputBoth, randomFloats, readBoth, rng, upload, uploadBoth, type Pair } from "./parity.ts";
import { convParams, type ConvShape } from "./conv-params.ts";


const CASES: Record<string, ConvShape> = {
  // The Conv-4 layers (3×3, pad 1, stride 1), small batches: the reference is slow.
  "conv4 layer 1": [3, 1, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1],
  "conv4 layer 2": [2, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1],
  "conv4 layer 3": [5, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1],
  "conv4 layer 4": [7, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1, 1],
  // A meta-batch of tasks as groups: 4 and 32 tasks × 64 channels.
  "4 tasks as groups": [2, 4 * 64, 7, 7, 4 * 64, 3, 3, 1, 1, 1, 1, 4],
  "32 tasks as groups, 3×3 images": [2, 32 * 64, 3, 3, 32 * 64, 3, 3, 1, 1, 1, 1, 32],
  "32 tasks as groups, first layer": [1, 32, 28, 28, 32 * 64, 3, 3, 1, 1, 1, 1, 32],
  "groups, uneven channels": [2, 6, 9, 8, 9, 3, 3, 1, 1, 1, 1, 3],
  "stride 2, no padding": [3, 5, 11, 11, 7, 3, 3, 2, 2, 0, 0, 1],
  "stride 2, packed patches": [2, 8, 11, 11, 6, 3, 3, 2, 2, 1, 1, 1],
  "large image, packed patches in pieces": [1, 16, 48, 50, 4, 3, 3, 1, 1, 1, 1, 1],
  "non-square kernel, image and stride": [2, 3, 10, 13, 5, 3, 2, 2, 1, 1, 0, 1],
  "1×1 kernel": [3, 16, 5, 6, 8, 1, 1, 1, 1, 0, 0, 1],
  "1×1 kernel, stride 2": [2, 4, 7, 7, 3, 1, 1, 2, 2, 0, 0, 1],
  "padding = kernel − 1": [2, 3, 6, 6, 4, 3, 3, 1, 1, 2, 2, 1],
  "more inputs than outputs, few outputs": [2, 6, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1],
  "padding beyond the kernel": [2, 3, 5, 5, 4, 3, 3, 1, 1, 3, 3, 1],
  "large image, pixel pieces": [1, 2, 45, 47, 5, 3, 3, 1, 1, 1, 1, 1],
  "large image, stride 2, pieces": [2, 3, 90, 70, 4, 5, 5, 2, 2, 2, 2, 1],
  "kernel as large as the image": [3, 2, 4, 4, 3, 4, 4, 1, 1, 0, 0, 1],
  "single pixel": [4, 3, 1, 1, 5, 1, 1, 1, 1, 0, 0, 1],
  "1×1 kernel, one image": [1, 8, 9, 10, 6, 1, 1, 1, 1, 0, 0, 1],
  "many small images in chunks": [150, 2, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1],
  // Stride-1 3×3 with enough channels: Winograd, F(4×4, 3×3) where it pays, else F(2×2, 3×3) (partial
  // tiles at odd sizes, chunks spanning images). The tolerance holds F(4×4)'s larger rounding error too:
  // at most 1.8e-6 of Σ|terms| measured on random inputs.
  "Winograd, odd non-square output, no padding": [3, 16, 9, 12, 10, 3, 3, 1, 1, 0, 0, 1],
  "Winograd, padding 2": [2, 8, 6, 7, 8, 3, 3, 1, 1, 2, 2, 1],
  "Winograd F(2×2), chunks spanning images": [40, 8, 5, 5, 12, 3, 3, 1, 1, 1, 1, 1],
  "Winograd, groups of 8 channels": [3, 3 * 8, 10, 9, 3 * 12, 3, 3, 1, 1, 1, 1, 3],
  "Winograd F(4×4), 3×3 images (one partial tile each)": [60, 16, 3, 3, 16, 3, 3, 1, 1, 1, 1, 1],
  "Winograd F(4×4), rows and columns of partial tiles": [10, 16, 7, 10, 12, 3, 3, 1, 1, 1, 1, 1],
  "Winograd F(4×4), output channels not a multiple of 4": [5, 12, 14, 14, 10, 3, 3, 1, 1, 1, 1, 1],
  // 256 tiles and more: the backward filter by F(4×4) too.
  "Winograd F(4×4) backward filter, output channels not a multiple of 4": [20, 12, 14, 14, 10, 3, 3, 1, 1, 1, 1, 1],
  "Winograd F(4×4) backward filter, partial tiles": [50, 8, 7, 10, 8, 3, 3, 1, 1, 1, 1, 1],
};

const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

describe("wasm conv2d and its backward kernels match the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  /** Runs one kernel on both backends; the tolerance scale is the same kernel on |inputs| (Σ|terms|). */
  function check(
    kernel: "conv2d" | "conv2dBackwardData" | "conv2dBackwardFilter", p: Conv2dParams, first: Float32Array,
    second: Float32Array, outSize: number, what: string,
  ): void {
    const [aw, ar] = uploadBoth(pair, first), [bw, br] = uploadBoth(pair, second);
    const [yw, yr] = outputBoth(pair, "float32", outSize, 9);
    const call = (b: Pair["wasm"] | Pair["ref"], x: BackendBuffer, y: BackendBuffer, out: BackendBuffer): void => b[kernel](x, y, out, p);
    call(pair.wasm, aw, bw, yw);
    call(pair.ref, ar, br, yr);
    const scaleOut = pair.ref.allocate("float32", outSize);
    call(pair.ref, upload(pair.ref, abs(first)), upload(pair.ref, abs(second)), scaleOut);
    const [got, want] = readBoth(pair, yw, yr);
    expectClose(got, want, 1e-5, pair.ref.readSync(scaleOut), 1e-30, `${kernel} ${what}`);
  }

  for (const [what, shape] of Object.entries(CASES)) {
    it(`${what}: forward, backward data, backward filter`, () => {
      const p = convParams(shape);
      const random = rng(shape.reduce((a, b) => a * 31 + b, 7));
      const xSize = p.batch * p.inC * p.inH * p.inW, wSize = p.outC * (p.inC / p.groups) * p.kh * p.kw;
      const ySize = p.batch * p.outC * p.outH * p.outW;
      const x = randomFloats(xSize, random), w = randomFloats(wSize, random), dy = randomFloats(ySize, random);
      check("conv2d", p, x, w, ySize, what);
      check("conv2dBackwardData", p, dy, w, xSize, what);
      check("conv2dBackwardFilter", p, x, dy, wSize, what);
    });
  }

  it("runs the exact path where F(4×4)'s transforms overflow but the convolution does not", () => {
    // One input of 3e38 per image: every output is at most 3e38 · |w| < 3e38, finite, but F(4×4)'s input
    // transform scales it by up to 25. (Short of overflow, Winograd's rounding error scales with the
    // largest input in a tile, not with each output's own terms, in every Winograd form.)
    const p = convParams([12, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1]);
    const xSize = p.batch * p.inC * p.inH * p.inW, wSize = p.outC * p.inC * 9, ySize = p.batch * p.outC * p.outH * p.outW;
    const x = new Float32Array(xSize), w = randomFloats(wSize, rng(72)).map((v) => v * 0.9);
    for (let n = 0; n < p.batch; n++) x[n * p.inC * p.inH * p.inW + 2 * p.inW + 3] = 3e38;
    const [aw] = uploadBoth(pair, x), [bw] = uploadBoth(pair, w), [yw] = outputBoth(pair, "float32", ySize, 9);
    pair.wasm.conv2d(aw, bw, yw, p);
    const y = pair.wasm.readSync(yw) as Float32Array;
    expect(y.every(Number.isFinite), "finite outputs").toBe(true);
    expect(y.some((v) => Math.abs(v) > 1e37), "the large input reaches the outputs").toBe(true);
    check("conv2d", p, x, w, ySize, "overflow");
  });

  it("propagates NaN and Inf exactly as the reference (no NaN from padding × Inf)", () => {
    // Few channels (weights checked before the GEMM) and many (checked while packed).
    for (const shape of [[2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1], [2, 16, 5, 5, 16, 3, 3, 1, 1, 1, 1, 2]] as ConvShape[]) {
      const p = convParams(shape);
      const random = rng(71);
      const xSize = p.batch * p.inC * p.inH * p.inW, wSize = p.outC * (p.inC / p.groups) * 9, ySize = p.batch * p.outC * p.outH * p.outW;
      const x = randomFloats(xSize, random), w = randomFloats(wSize, random), dy = randomFloats(ySize, random);
      x[5] = NaN;
      x[xSize - 7] = Infinity;
      w[7] = -Infinity;
      dy[3] = NaN;
      dy[ySize - 2] = Infinity;
      check("conv2d", p, x, w, ySize, `special ${shape}`);
      check("conv2dBackwardData", p, dy, w, xSize, `special ${shape}`);
      check("conv2dBackwardFilter", p, x, dy, wSize, `special ${shape}`);
    }
  });

  it("rejects inconsistent shapes with KshotErrors naming the op", () => {
    const p = convParams([1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 2]);
    const x = upload(pair.wasm, new Float32Array(100)), w = upload(pair.wasm, new Float32Array(6 * 2 * 9));
    const y = upload(pair.wasm, new Float32Array(150));
    expect(() => pair.wasm.conv2d(x, w, y, { ...p, outH: 4 })).toThrow(/conv2d: expected output 5x5/);
    expect(() => pair.wasm.conv2d(x, w, y, { ...p, groups: 3 })).toThrow(KshotError);
    expect(() => pair.wasm.conv2dBackwardFilter(x, y, upload(pair.wasm, new Float32Array(5)), p)).toThrow(/conv2dBackwardFilter/);
  });
});
