import { afterAll, describe, it } from "vitest";
import { BINARY_OPS, type BinaryOp, type Broadcast, UNARY_OPS } from "../../../src/backend/backend.ts";
import { broadcastStrides, contiguousStrides, expectClose, randomFloats, randomInts, runBoth, seeded } from "../kernel-harness.ts";
import { BINARY } from "../../../src/optable/index.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3, 1e-30, 88.8, -88.8, 1e30, -1e30, 2];
/** Transcendentals: WGSL allows a few ULP (sin/cos absolute 2^-11 near +-pi). */
const LOOSE = { rtol: 2e-5, atol: 1e-5 };

function bc(outShape: number[], ...shapes: number[][]): Broadcast {
  return { outShape, strides: shapes.map((s) => broadcastStrides(s, outShape)) };
}

describe.skipIf(!gpu)("webgpu elementwise", () => {
  const rand = seeded(1);

  it("unary float32 ops match the reference on random data and special values", async () => {
    const x = new Float32Array([...randomFloats(1003, rand, -6, 6), ...SPECIALS]);
    // WGSL's sin/cos reduce large arguments loosely: |x| <= ~1e4 is what they are tested on.
    const periodic = x.map((v) => (Math.abs(v) > 1e4 ? 1e4 * Math.sign(v) : v));
    for (const op of UNARY_OPS) {
      const input = op === "sin" || op === "cos" ? periodic : x;
      const { got, want } = await runBoth(gpu!, [input], [{ dtype: "float32", size: x.length }], (b, [xi], [o]) => b.unary(op, xi, o));
      expectClose(got[0], want[0], LOOSE, op);
    }
  });

  it("unary int32 ops (neg, abs, sign, square)", async () => {
    // Products past 2^53 are left out: the reference rounds them through float64 before wrapping.
    const x = new Int32Array([...randomInts(300, rand, -1000, 1000), 0, -2147483648, 46341, -65536]);
    for (const op of ["neg", "abs", "sign", "square"] as const) {
      const { got, want } = await runBoth(gpu!, [x], [{ dtype: "int32", size: x.length }], (b, [xi], [o]) => b.unary(op, xi, o));
      expectClose(got[0], want[0], {}, op);
    }
  });

  it("binary float32 ops with broadcasting, NaN and Inf", async () => {
    const cases: [number[], number[], number[]][] = [
      [[257], [257], [257]],
      [[3, 5, 7], [3, 5, 7], [1, 1, 7]],
      [[2, 3, 4, 5], [2, 1, 4, 1], [1, 3, 1, 5]],
      [[1], [1], [1]],
      [[65, 1], [65, 1], [1, 1]],
    ];
    for (const [out, sa, sb] of cases) {
      const n = (s: number[]) => s.reduce((p, e) => p * e, 1);
      const a = randomFloats(n(sa), rand, -3, 3);
      const b = randomFloats(n(sb), rand, -3, 3);
      a.set(SPECIALS.slice(0, Math.min(a.length, SPECIALS.length)));
      b.set([...SPECIALS].reverse().slice(0, Math.min(b.length, SPECIALS.length)));
      for (const op of BINARY_OPS) {
        const { got, want } = await runBoth(gpu!, [a, b], [{ dtype: "float32", size: n(out) }],
          (be, [ai, bi], [o]) => be.binary(op, ai, bi, o, bc(out, sa, sb)));
        expectClose(got[0], want[0], op === "pow" ? { rtol: 1e-5, atol: 1e-5 } : {}, `${op} [${out}]`);
      }
    }
  });

  it("pow follows Math.pow at its edge cases", async () => {
    const bases = [-2, -2, -8, -0.5, 0, -0, 0, 1, 1, -1, NaN, 2, Infinity, -Infinity, -Infinity, 0.5, 2, 3];
    const exps = [3, 2, 1 / 3, -1, -1, -3, 0, NaN, Infinity, Infinity, 0, -Infinity, -2, 3, 2, Infinity, 0.5, -2];
    const a = new Float32Array(bases);
    const b = new Float32Array(exps);
    const { got, want } = await runBoth(gpu!, [a, b], [{ dtype: "float32", size: a.length }],
      (be, [ai, bi], [o]) => be.binary("pow", ai, bi, o, bc([a.length], [a.length], [a.length])));
    expectClose(got[0], want[0], { rtol: 1e-6 }, "pow");
  });

  it("binary int32 ops, and comparisons of int32 into float32", async () => {
    const a = new Int32Array([...randomInts(200, rand, -50, 50), 7, -7, 7, 0, 2147483647]);
    const b = new Int32Array([...randomInts(200, rand, -6, 6), 0, 2, -2, 0, 1]);
    const shape = [a.length];
    for (const op of BINARY_OPS) {
      const pb = op === "pow" ? b.map((v) => Math.abs(v) % 4) : b;
      const comparison = BINARY[op].kind === "comparison";
      for (const dtype of comparison ? (["int32", "float32"] as const) : (["int32"] as const)) {
        const { got, want } = await runBoth(gpu!, [a, pb], [{ dtype, size: a.length }],
          (be, [ai, bi], [o]) => be.binary(op as BinaryOp, ai, bi, o, bc(shape, shape, shape)));
        expectClose(got[0], want[0], {}, `${op} -> ${dtype}`);
      }
    }
  });

  it("where with float32 and int32 conditions, broadcast", async () => {
    const out = [4, 6, 5];
    const cond = new Float32Array([0, 1, NaN, -0, 0, 2]);
    const a = randomFloats(4 * 6 * 5, rand);
    const b = randomFloats(5, rand);
    const { got, want } = await runBoth(gpu!, [cond, a, b], [{ dtype: "float32", size: 120 }],
      (be, [c, ai, bi], [o]) => be.where(c, ai, bi, o, bc(out, [1, 6, 1], out, [1, 1, 5])));
    expectClose(got[0], want[0], {}, "where f32 cond");
    const icond = new Int32Array([0, 3, -1, 0, 0, 1]);
    const ia = randomInts(120, rand, -9, 9);
    const ib = randomInts(5, rand, -9, 9);
    const r = await runBoth(gpu!, [icond, ia, ib], [{ dtype: "int32", size: 120 }],
      (be, [c, ai, bi], [o]) => be.where(c, ai, bi, o, bc(out, [1, 6, 1], out, [1, 1, 5])));
    expectClose(r.got[0], r.want[0], {}, "where i32");
  });

  it("handles more than 65535 workgroups along one dimension (2-D grid)", async () => {
    const n = 65536 * 64 + 77;
    const a = randomFloats(n, rand);
    const b = new Float32Array([0.5]);
    const { got, want } = await runBoth(gpu!, [a, b], [{ dtype: "float32", size: n }],
      (be, [ai, bi], [o]) => be.binary("mul", ai, bi, o, { outShape: [n], strides: [[1], [0]] }));
    expectClose(got[0], want[0], {}, "large mul");
  });

  it("transposed (strided) operands go through the index walk", async () => {
    const shape = [7, 9];
    const a = randomFloats(63, rand);
    const b = randomFloats(63, rand);
    // a read transposed: a is stored [9, 7].
    const bcast: Broadcast = { outShape: shape, strides: [[1, 7], contiguousStrides(shape)] };
    const { got, want } = await runBoth(gpu!, [a, b], [{ dtype: "float32", size: 63 }],
      (be, [ai, bi], [o]) => be.binary("sub", ai, bi, o, bcast));
    expectClose(got[0], want[0], {}, "transposed sub");
  });
});
