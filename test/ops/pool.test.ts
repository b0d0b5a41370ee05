// affinePoolRelu: its one-kernel path (no gradient to record) computes what the chain of ops computes, bit
// for bit, specials included; bad per-channel values are KshotErrors. (Gradients: test/ops/gradients.test.ts.)
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
