// affinePoolRelu: its one-kernel path (no gradient to record) computes what the chain of ops computes, bit
// for bit, specials included; bad per-channel values are KshotErrors. (Gradients: test/ops/gradients.test.ts.)
// conv2dAffinePoolRelu: exactly affinePoolRelu(conv2d(...)) on every convolution path, and differentiable.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

const SPECIALS = [Number.NaN, Infinity, -Infinity, 0, -0, 1e30, -1e30];

function filled(n: number, seed: number, specialsEvery = 0): Float32Array {
  const rng = new ks.Rng(seed);
  const x = Float32Array.from({ length: n }, () => rng.uniform() * 4 - 2);
  if (specialsEvery) for (let i = 0; i < n; i += specialsEvery) x[i] = SPECIALS[(i / specialsEvery) % SPECIALS.length]!;
  return x;
}

/** The same computation as ops: the fused chain, maxPool2d, relu. */
function composed(x: ks.Tensor, c: ks.ChannelAffine, options?: ks.MaxPoolOptions): ks.Tensor {
  return ks.tidy(() => {
    const channel = (v: ks.Tensor) => ks.reshape(v, [1, x.shape[1]!, 1, 1]);
    const shifted = c.add ? ks.add(x, channel(c.add)) : x;
    return ks.relu(ks.maxPool2d(ks.add(ks.mul(ks.sub(shifted, channel(c.sub)), channel(c.mul)), channel(c.plus)), options));
  });
}

describe("affinePoolRelu", () => {
  for (const [label, shape, options] of [
    ["2x2 pool of 14x14 planes", [3, 6, 14, 14], undefined],
    ["2x2 pool of 28x28 planes", [2, 4, 28, 28], undefined],
    ["3x3 windows, stride 2", [2, 3, 9, 7], { kernel: 3, stride: 2 }],
  ] as const) {
    it(`equals relu(maxPool2d(((x + a) − m)·s + b)) bit for bit: ${label}, specials included`, async () => {
      const c = shape[1];
      const x = ks.tensor(filled(shape.reduce((p, d) => p * d, 1), 1, 11), [...shape]);
      const vector = (seed: number) => ks.tensor(filled(c, seed), [c]);
      const scale = vector(4);
      // Channels of positive, negative and zero scale (the kernel maps a window's maximum where the map is monotone).
      const signs = ks.tensor(Float32Array.from({ length: c }, (_, i) => [1, -1, 0][i % 3]!), [c]);
      const values = { add: vector(2), sub: vector(3), mul: ks.mul(ks.abs(scale), signs), plus: vector(5) };
      for (const affine of [values, { ...values, add: undefined }]) {
        const got = await ks.affinePoolRelu(x, affine, options).data();
        const want = await composed(x, affine, options).data();
        expect(got.length).toBeGreaterThan(0);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    });
  }

  it("rejects per-channel values of the wrong size", () => {
    const x = ks.zeros([1, 3, 4, 4]);
    const three = ks.zeros([3]);
    expect(() => ks.affinePoolRelu(x, { sub: ks.zeros([2]), mul: three, plus: three })).toThrow(/affinePoolRelu: expected per-channel values of 3 float32 elements, got \[2\]/);
  });
});

describe("conv2dAffinePoolRelu", () => {
  // The wasm backend's convolution paths: one input channel, Winograd (enough channels, stride 1), the
  // GEMM (3×3 images), grouped with stride 2, and a pool that is not 2×2.
  for (const [label, xShape, wShape, options] of [
    ["one input channel, 28x28", [3, 1, 28, 28], [8, 1, 3, 3], { padding: 1 }],
    ["16 channels, 14x14 (Winograd)", [5, 16, 14, 14], [16, 16, 3, 3], { padding: 1 }],
    ["16 channels, 7x7, NaN in x", [3, 16, 7, 7], [12, 16, 3, 3], { padding: 1 }],
    ["16 channels, 3x3", [4, 16, 3, 3], [16, 16, 3, 3], { padding: 1 }],
    ["2 groups, stride 2", [2, 8, 11, 11], [8, 4, 3, 3], { padding: 1, stride: 2, groups: 2 }],
    ["3x3 pool at stride 2", [2, 4, 12, 12], [6, 4, 3, 3], { padding: 1, pool: { kernel: 3, stride: 2 } }],
  ] as const) {
    it(`equals affinePoolRelu(conv2d(x, w)) bit for bit: ${label}`, async () => {
      const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
      const xs = filled(size(xShape), 7);
      if (label.includes("NaN")) xs[40] = Number.NaN;
      const x = ks.tensor(xs, [...xShape]), w = ks.tensor(filled(size(wShape), 8), [...wShape]);
      const c = wShape[0];
      const vector = (seed: number) => ks.tensor(filled(c, seed), [c]);
      const signs = ks.tensor(Float32Array.from({ length: c }, (_, i) => [1, -1, 0][i % 3]!), [c]);
      const affine = { add: vector(2), sub: vector(3), mul: ks.mul(ks.abs(vector(4)), signs), plus: vector(5) };
      const got = await ks.conv2dAffinePoolRelu(x, w, affine, options).data();
      const want = await ks.affinePoolRelu(ks.conv2d(x, w, options), affine, "pool" in options ? options.pool : undefined).data();
      expect(got.length).toBeGreaterThan(0);
      expect(Array.from(got)).toEqual(Array.from(want));
    });
  }

  it("has the gradients of the two ops", async () => {
    const params = { x: ks.tensor(filled(2 * 3 * 6 * 6, 9), [2, 3, 6, 6]), w: ks.tensor(filled(4 * 3 * 9, 10), [4, 3, 3, 3]), sub: ks.tensor(filled(4, 13), [4]) };
    const mul = ks.tensor(filled(4, 11), [4]), plus = ks.tensor(filled(4, 12), [4]);
    type P = typeof params;
    const fused = ks.grad((p: P) => ks.sum(ks.square(ks.conv2dAffinePoolRelu(p.x, p.w, { sub: p.sub, mul, plus }, { padding: 1 }))));
    const ops = ks.grad((p: P) => ks.sum(ks.square(ks.affinePoolRelu(ks.conv2d(p.x, p.w, { padding: 1 }), { sub: p.sub, mul, plus }))));
    const got = fused(params), want = ops(params);
    for (const k of ["x", "w", "sub"] as const) {
      expect(Array.from(await got[k].data()).some((v) => v !== 0)).toBe(true);
      expect(Array.from(await got[k].data())).toEqual(Array.from(await want[k].data()));
    }
  });

  it("rejects a pool that does not fit the convolution's output, and per-channel values of the wrong size", () => {
    const x = ks.zeros([1, 2, 4, 4]), w = ks.zeros([3, 2, 3, 3]), three = ks.zeros([3]);
    expect(() => ks.conv2dAffinePoolRelu(x, w, { sub: three, mul: three, plus: three }, { pool: { kernel: 3 } })).toThrow(/conv2dAffinePoolRelu: a 3×3 window does not fit the convolution's output \[1, 3, 2, 2\]/);
    expect(() => ks.conv2dAffinePoolRelu(x, w, { sub: ks.zeros([2]), mul: three, plus: three }, { padding: 1 })).toThrow(/conv2dAffinePoolRelu: expected per-channel values of 3 float32 elements, got \[2\]/);
  });
});
