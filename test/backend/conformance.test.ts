// The kernel conformance suite: every kernel of every backend present (wasm everywhere, WebGPU where an
// adapter is found) against the reference backend, on every dtype a kernel takes, edge shapes (empty, one
// element, lengths around the four-lane width), NaN/±Inf/−0, broadcasting and convolution groups; and the
// shared call validation, which must reject a bad call with the same message on every backend.
import { afterAll, describe, expect, it } from "vitest";
import {
  type Backend, BINARY_OPS, type Broadcast, type Conv2dParams, type ElementwiseProgram, REDUCE_OPS, UNARY_OPS, type UnaryOp,
} from "../../src/backend/backend.ts";
import { ReferenceBackend } from "../../src/backend/reference/reference-backend.ts";
import { createWasmBackend } from "../../src/backend/wasm/index.ts";
import type { TypedArrayFor } from "../../src/dtype.ts";
import { KshotError } from "../../src/errors.ts";
import { BINARY, UNARY } from "../../src/optable/index.ts";
import {
  broadcastStrides, contiguousStrides, expectClose, randomFloats, randomInts, runBoth, seeded, type Tolerance,
} from "./kernel-harness.ts";
import { openWebGPU } from "./webgpu/webgpu-harness.ts";

interface UnderTest {
  readonly name: string;
  readonly backend: Backend | null;
  /** Ops that are one IEEE operation or a selection (wasm: bit for bit). */
  readonly exact: Tolerance;
  /** Library functions (exp, log, tanh, ...): f64 libm on wasm, few-ULP WGSL built-ins on WebGPU. */
  readonly library: Tolerance;
  /** Sums and products of many terms, which a backend may associate differently. */
  readonly sums: Tolerance;
}

const wasm = await createWasmBackend();
const webgpu = await openWebGPU();
afterAll(() => {
  wasm.dispose();
  webgpu?.dispose();
});

const UNDER_TEST: readonly UnderTest[] = [
  { name: "wasm", backend: wasm, exact: { rtol: 0, atol: 0 }, library: { rtol: 2e-7, atol: 1e-37 }, sums: { rtol: 1e-5, atol: 1e-5 } },
  { name: "webgpu", backend: webgpu, exact: { rtol: 1e-6, atol: 1e-7 }, library: { rtol: 2e-5, atol: 1e-5 }, sums: { rtol: 1e-5, atol: 1e-4 } },
];

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3, 1e-30, -1e-30, 88.8, -88.8, 1e30, -1e30];
/** Lengths around the four-lane width and the wasm kernels' blocks. */
const LENGTHS = [0, 1, 3, 4, 5, 17, 64, 257];

/** An op computed by one IEEE operation or a selection: its wasm form has four lanes. */
const isExactOp = (op: UnaryOp): boolean => UNARY[op].wasm.f32x4 !== undefined;

/** Non-finite values and signed zeros only: chains of ops stay clear of subnormals, which GPUs may flush. */
const NON_FINITE = [NaN, Infinity, -Infinity, 0, -0];

function withSpecials(x: Float32Array, specials: readonly number[] = SPECIALS): Float32Array {
  for (let i = 0; i < x.length; i += 3) x[i] = specials[(i / 3) % specials.length];
  return x;
}

const size = (shape: readonly number[]): number => shape.reduce((p, e) => p * e, 1);

function bcOf(outShape: number[], ...shapes: number[][]): Broadcast {
  return { outShape, strides: shapes.map((s) => broadcastStrides(s, outShape)) };
}

/** Broadcast cases [out, a, b]: rank 0, empty, scalar and row broadcasts, both sides broadcast. */
const BROADCASTS: [number[], number[], number[]][] = [
  [[], [], []], [[0, 3], [0, 3], [1, 3]], [[7], [7], [1]], [[1], [1], [1]], [[5, 9], [1, 9], [5, 1]],
  [[2, 3, 4, 5], [2, 1, 4, 1], [1, 3, 1, 5]], [[3, 130], [3, 130], [3, 130]],
];

/** Sign of zero matters where the reference keeps it: compare bit patterns of exactly computed results. */
function expectSameBits(got: TypedArrayFor, want: TypedArrayFor, what: string): void {
  const bits = (a: TypedArrayFor) => new Int32Array(Float32Array.from(a).buffer);
  const [g, w] = [bits(got), bits(want)];
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) expect.fail(`${what} element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

for (const t of UNDER_TEST) {
  describe.skipIf(!t.backend)(`kernel conformance: ${t.name} against the reference`, () => {
    const b = t.backend!;
    const rand = seeded(7);

    it("unary: every op on float32, NaN/±Inf/−0, every length", async () => {
      for (const n of LENGTHS) {
        const x = withSpecials(randomFloats(n, rand, -6, 6));
        for (const op of UNARY_OPS) {
          // WGSL reduces large sin/cos arguments loosely: |x| ≤ 1e4 is what they are specified for.
          const input = (op === "sin" || op === "cos") && t.name === "webgpu" ? x.map((v) => Math.max(-1e4, Math.min(1e4, v))) : x;
          const { got, want } = await runBoth(b, [input], [{ dtype: "float32", size: n }], (k, [xi], [o]) => k.unary(op, xi, o));
          if (isExactOp(op) && t.name === "wasm") expectSameBits(got[0], want[0], `${op} n=${n}`);
          else expectClose(got[0], want[0], isExactOp(op) ? t.exact : t.library, `${op} n=${n}`);
        }
      }
    });

    it("unary: every op with an int32 form, on int32", async () => {
      // Products past 2^53 are left out: the reference rounds them through float64 before wrapping.
      const x = new Int32Array([...randomInts(61, rand, -1000, 1000), 0, -2147483648, 46340, -46341, 65536]);
      for (const op of UNARY_OPS.filter((o) => UNARY[o].int32)) {
        const { got, want } = await runBoth(b, [x], [{ dtype: "int32", size: x.length }], (k, [xi], [o]) => k.unary(op, xi, o));
        expectClose(got[0], want[0], {}, op);
      }
    });

    it("binary: every op on float32 and int32 over broadcasts, comparisons into float32 and int32", async () => {
      for (const [out, sa, sb] of BROADCASTS) {
        const fa = withSpecials(randomFloats(size(sa), rand, -3, 3)), fb = randomFloats(size(sb), rand, -3, 3);
        const ia = randomInts(size(sa), rand, -20, 20), ib = randomInts(size(sb), rand, -4, 5);
        for (const op of BINARY_OPS) {
          const comparison = BINARY[op].kind === "comparison";
          for (const [a, bb] of [[fa, fb], [ia, ib]] as const) {
            const outs = comparison ? (["float32", "int32"] as const) : ([a instanceof Int32Array ? "int32" : "float32"] as const);
            for (const dtype of outs) {
              const { got, want } = await runBoth(b, [a, bb], [{ dtype, size: size(out) }],
                (k, [ai, bi], [o]) => k.binary(op, ai, bi, o, bcOf(out, sa, sb)));
              expectClose(got[0], want[0], op === "pow" ? t.library : t.exact, `${op} ${a.constructor.name} → ${dtype} [${out}]`);
            }
          }
        }
      }
    });

    it("where: float32 and int32 conditions (NaN counts as true), broadcast", async () => {
      for (const [out, sa, sb] of BROADCASTS) {
        const fc = withSpecials(randomFloats(size(sa), rand, -1, 1)).map((v) => (v > 0.3 ? 0 : v));
        const ic = randomInts(size(sa), rand, -1, 2);
        for (const c of [fc, ic]) {
          const { got, want } = await runBoth(b, [c, randomFloats(size(sb), rand), randomFloats(size(out), rand)], [{ dtype: "float32", size: size(out) }],
            (k, [ci, ai, bi], [o]) => k.where(ci, ai, bi, o, bcOf(out, sa, sb, out)));
          expectClose(got[0], want[0], t.exact, `where ${c.constructor.name} [${out}]`);
        }
      }
    });

    it("reduce: every op on float32 and int32, empty and long axes, NaN", async () => {
      const shapes: [number, number, number][] = [[1, 1, 1], [1, 1000, 1], [3, 65, 5], [2, 3, 130], [4, 1, 9], [3, 0, 2]];
      for (const [outer, r, inner] of shapes) {
        const fx = withSpecials(randomFloats(outer * r * inner, rand, -10, 10));
        const ix = randomInts(outer * r * inner, rand, -100, 100);
        for (const op of REDUCE_OPS) {
          for (const x of [fx, ix]) {
            // An empty max/min/argmax has no value to agree on (the ops layer rejects it).
            if (r === 0 && op !== "sum") continue;
            const dtype = op === "argmax" ? "int32" : x instanceof Int32Array ? "int32" : "float32";
            const { got, want } = await runBoth(b, [x], [{ dtype, size: outer * inner }], (k, [xi], [o]) => k.reduce(op, xi, o, outer, r, inner));
            expectClose(got[0], want[0], op === "sum" ? t.sums : {}, `${op} ${x.constructor.name} [${outer}, ${r}, ${inner}]`);
          }
        }
      }
    });

    it("elementwise programs: every op as a fused step, broadcast inputs", async () => {
      // Every unary op on input 1, then a chain of binary ops (every one) folding them in, then `where`.
      const u = UNARY_OPS.length;
      const program: ElementwiseProgram = {
        inputs: 2,
        steps: [
          ...UNARY_OPS.map((op) => ({ kind: "unary" as const, op, x: 1 })),
          { kind: "const", value: 0.5 },
          ...UNARY_OPS.map((_op, k) => ({ kind: "binary" as const, op: BINARY_OPS[k % BINARY_OPS.length], a: k === 0 ? 0 : 2 + u + k, b: 2 + k })),
          { kind: "where", cond: 1, a: 2 + 2 * u, b: 2 + u },
        ],
      };
      for (const [out, sa, sb] of BROADCASTS) {
        const { got, want } = await runBoth(b, [randomFloats(size(sa), rand, 0.5, 1.5), withSpecials(randomFloats(size(sb), rand), NON_FINITE)],
          [{ dtype: "float32", size: size(out) }], (k, inputs, [o]) => k.elementwise(program, inputs, o, bcOf(out, sa, sb)));
        expectClose(got[0], want[0], t.library, `program [${out}]`);
      }
    });

    it("matmul: transposes, batches, a broadcast operand", async () => {
      for (const [batch, m, n, kk, transA, transB, aStride] of [
        [1, 1, 1, 1, false, false, 1], [2, 5, 7, 3, true, false, 15], [3, 17, 9, 33, false, true, 0], [1, 64, 65, 66, true, true, 0],
      ] as [number, number, number, number, boolean, boolean, number][]) {
        const p = { batch, m, n, k: kk, transA, transB, aBatchStride: aStride && m * kk, bBatchStride: n * kk };
        const { got, want } = await runBoth(b, [randomFloats(Math.max(1, aStride ? batch : 1) * m * kk, rand), randomFloats(batch * kk * n, rand)],
          [{ dtype: "float32", size: batch * m * n }], (k, [ai, bi], [o]) => k.matmul(ai, bi, o, p));
        expectClose(got[0], want[0], t.sums, `matmul ${JSON.stringify(p)}`);
      }
    });

    it("conv2d and its two backward passes: stride, padding, groups", async () => {
      const cases: Conv2dParams[] = [
        { batch: 2, inC: 3, inH: 7, inW: 6, outC: 4, outH: 7, outW: 6, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 1 },
        { batch: 1, inC: 4, inH: 9, inW: 9, outC: 6, outH: 4, outW: 4, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 0, padW: 0, groups: 2 },
        { batch: 3, inC: 6, inH: 5, inW: 4, outC: 6, outH: 5, outW: 4, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, groups: 6 },
        // One input channel per group, 3×3, stride 1 (the direct path): ragged rows, groups, no padding.
        { batch: 2, inC: 1, inH: 7, inW: 6, outC: 5, outH: 7, outW: 6, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 1 },
        { batch: 3, inC: 3, inH: 5, inW: 9, outC: 6, outH: 5, outW: 9, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 3 },
        { batch: 2, inC: 1, inH: 6, inW: 7, outC: 3, outH: 4, outW: 5, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, groups: 1 },
      ];
      for (const p of cases) {
        const [xs, ws, ys] = [p.batch * p.inC * p.inH * p.inW, p.outC * (p.inC / p.groups) * p.kh * p.kw, p.batch * p.outC * p.outH * p.outW];
        const [x, w, dy] = [randomFloats(xs, rand), randomFloats(ws, rand), randomFloats(ys, rand)];
        const forward = await runBoth(b, [x, w], [{ dtype: "float32", size: ys }], (k, [xi, wi], [o]) => k.conv2d(xi, wi, o, p));
        expectClose(forward.got[0], forward.want[0], t.sums, `conv2d groups ${p.groups}`);
        const data = await runBoth(b, [dy, w], [{ dtype: "float32", size: xs }], (k, [d, wi], [o]) => k.conv2dBackwardData(d, wi, o, p));
        expectClose(data.got[0], data.want[0], t.sums, `conv2dBackwardData groups ${p.groups}`);
        const filter = await runBoth(b, [x, dy], [{ dtype: "float32", size: ws }], (k, [xi, d], [o]) => k.conv2dBackwardFilter(xi, d, o, p));
        expectClose(filter.got[0], filter.want[0], t.sums, `conv2dBackwardFilter groups ${p.groups}`);
      }
      // The direct one-channel path with NaN/±Inf in x, and in the weights or output gradients (whose
      // padding terms the reference does not have).
      const p = cases[3]!;
      const [xs, ws, ys] = [p.batch * p.inH * p.inW, p.outC * 9, p.batch * p.outC * p.outH * p.outW];
      const x = withSpecials(randomFloats(xs, rand), NON_FINITE);
      for (const [w, dy] of [[randomFloats(ws, rand), randomFloats(ys, rand)], [randomFloats(ws, rand).fill(Number.NaN, 4, 5), randomFloats(ys, rand).fill(Infinity, 0, 1)]]) {
        const forward = await runBoth(b, [x, w!], [{ dtype: "float32", size: ys }], (k, [xi, wi], [o]) => k.conv2d(xi, wi, o, p));
        expectClose(forward.got[0], forward.want[0], t.sums, "conv2d, one input channel, specials");
        const filter = await runBoth(b, [x, dy!], [{ dtype: "float32", size: ws }], (k, [xi, d], [o]) => k.conv2dBackwardFilter(xi, d, o, p));
        expectClose(filter.got[0], filter.want[0], t.sums, "conv2dBackwardFilter, one input channel, specials");
      }
    });

    it("affinePoolRelu: the vector paths (strides 1 and 2, ragged rows, rows under four outputs), a scalar stride, specials in x and in the channel values", async () => {
      const shapes = [
        { batch: 3, channels: 5, inH: 14, inW: 14, outH: 7, outW: 7, kh: 2, kw: 2, strideH: 2, strideW: 2 },
        { batch: 2, channels: 4, inH: 28, inW: 28, outH: 14, outW: 14, kh: 2, kw: 2, strideH: 2, strideW: 2 },
        // Rows of fewer than four outputs, and an odd size whose last input row and column no window takes.
        { batch: 3, channels: 4, inH: 7, inW: 7, outH: 3, outW: 3, kh: 2, kw: 2, strideH: 2, strideW: 2 },
        { batch: 2, channels: 5, inH: 3, inW: 3, outH: 1, outW: 1, kh: 2, kw: 2, strideH: 2, strideW: 2 },
        { batch: 1, channels: 3, inH: 4, inW: 12, outH: 2, outW: 6, kh: 2, kw: 2, strideH: 2, strideW: 2 },
        { batch: 2, channels: 3, inH: 6, inW: 9, outH: 5, outW: 8, kh: 2, kw: 2, strideH: 1, strideW: 1 },
        { batch: 2, channels: 3, inH: 7, inW: 6, outH: 3, outW: 2, kh: 3, kw: 3, strideH: 2, strideW: 3 },
      ];
      for (const p of shapes) {
        const x = randomFloats(p.batch * p.channels * p.inH * p.inW, rand);
        for (let i = 0; i < x.length; i += 13) x[i] = SPECIALS[(i / 13) % SPECIALS.length]!;
        const channel = randomFloats(4 * p.channels, rand, -1.5, 1.5);
        channel[2 * p.channels] = -1; // a negative scale: the pool then keeps the smallest input
        channel[2 * p.channels + 1] = 0;
        if (p.channels > 2) channel[p.channels + 2] = Number.NaN;
        if (p.channels > 3) { // a positive scale with an infinite shift: the map then runs on each element
          channel[2 * p.channels + 3] = 0.75;
          channel[3 * p.channels + 3] = Infinity;
        }
        const size = p.batch * p.channels * p.outH * p.outW;
        const r = await runBoth(b, [x, channel], [{ dtype: "float32", size }], (k, [xi, c], [y]) => k.affinePoolRelu(xi, c, y, p));
        expectClose(r.got[0], r.want[0], t.exact, `affinePoolRelu ${p.inH}x${p.inW} stride ${p.strideW}`);
      }
    });

    it("batchNorm and batchNormBackward: NCHW and [N, C] layouts, rows around the four-lane width, an offset channel, specials", async () => {
      const shapes = [
        { batch: 5, channels: 4, spatial: 14 * 14 }, { batch: 3, channels: 5, spatial: 7 * 7 }, { batch: 4, channels: 3, spatial: 9 },
        { batch: 6, channels: 7, spatial: 1 }, { batch: 1, channels: 2, spatial: 1 }, { batch: 2, channels: 3, spatial: 5 },
        // Large planes: wasm walks them in blocks of channels (16, then 3).
        { batch: 3, channels: 19, spatial: 23 * 23 },
      ];
      for (const shape of shapes) {
        const p = { ...shape, eps: 1e-5 };
        const size = p.batch * p.channels * p.spatial;
        const x = randomFloats(size, rand, -3, 3), dy = randomFloats(size, rand);
        // Channel 1 sits far from zero (the shifted sums), channel 2 of the larger shapes holds specials.
        for (let n = 0; n < p.batch; n++) {
          for (let i = 0; i < p.spatial; i++) x[(n * p.channels + 1) * p.spatial + i] += 1000;
        }
        if (p.channels > 2 && p.spatial > 4) x[2 * p.spatial + 3] = SPECIALS[(p.spatial + p.batch) % 3]!;
        const gamma = randomFloats(p.channels, rand, -1.5, 1.5), beta = randomFloats(p.channels, rand);
        const what = `[${p.batch},${p.channels},${p.spatial}]`;
        const forward = await runBoth(b, [x, gamma, beta], [{ dtype: "float32", size }, { dtype: "float32", size: 2 * p.channels }],
          (k, [xi, g, be], [y, stats]) => k.batchNorm(xi, g, be, y, stats, p));
        expectClose(forward.got[1], forward.want[1], t.sums, `batchNorm stats ${what}`);
        expectClose(forward.got[0], forward.want[0], t.sums, `batchNorm ${what}`);
        // The backward takes the reference's statistics, so both sides normalise alike.
        const stats = forward.want[1] as Float32Array;
        const backward = await runBoth(b, [dy, x, gamma, stats], [{ dtype: "float32", size }, { dtype: "float32", size: 2 * p.channels }],
          (k, [d, xi, g, st], [dx, sums]) => k.batchNormBackward(d, xi, g, st, dx, sums, p));
        expectClose(backward.got[1], backward.want[1], t.sums, `batchNormBackward sums ${what}`);
        expectClose(backward.got[0], backward.want[0], t.sums, `batchNormBackward ${what}`);
      }
      const empty = { batch: 0, channels: 3, spatial: 4, eps: 1e-5 };
      const none = await runBoth(b, [new Float32Array(0), new Float32Array(3), new Float32Array(3)], [{ dtype: "float32", size: 0 }, { dtype: "float32", size: 6 }],
        (k, [xi, g, be], [y, stats]) => k.batchNorm(xi, g, be, y, stats, empty));
      expectClose(none.got[1], none.want[1], t.sums, "batchNorm stats of an empty batch");
    });

    it("maxPool2d, gather and scatterAdd (batched and out-of-range indices), copy and cast", async () => {
      const x = withSpecials(randomFloats(2 * 3 * 7 * 6, rand));
      const pool = { batch: 2, channels: 3, inH: 7, inW: 6, outH: 3, outW: 2, kh: 3, kw: 3, strideH: 2, strideW: 3 };
      const pooled = await runBoth(b, [x], [{ dtype: "float32", size: 36 }, { dtype: "int32", size: 36 }], (k, [xi], [y, i]) => k.maxPool2d(xi, y, i, pool));
      expectClose(pooled.got[0], pooled.want[0], t.exact, "maxPool2d values");
      expectClose(pooled.got[1], pooled.want[1], {}, "maxPool2d indices");
      for (const batchedIndices of [false, true]) {
        const g = { outer: 2, axis: 4, inner: 3, count: 5, batchedIndices };
        const idx = new Int32Array([0, 3, -1, 2, 4, 1, 1, 0, 3, 9].slice(0, batchedIndices ? 10 : 5));
        const gathered = await runBoth(b, [randomFloats(24, rand), idx], [{ dtype: "float32", size: 30 }], (k, [d, i], [o]) => k.gather(d, i, o, g));
        expectClose(gathered.got[0], gathered.want[0], t.exact, `gather batched ${batchedIndices}`);
        const scattered = await runBoth(b, [randomFloats(30, rand), idx], [{ dtype: "float32", size: 24 }], (k, [s, i], [o]) => k.scatterAdd(s, i, o, g));
        expectClose(scattered.got[0], scattered.want[0], t.sums, `scatterAdd batched ${batchedIndices}`);
      }
      const copyParams = { shape: [3, 4], srcStrides: [1, 3], srcOffset: 2, dstStrides: contiguousStrides([3, 4]).map((s) => s * 2), dstOffset: 1 };
      const copied = await runBoth(b, [x.slice(0, 20)], [{ dtype: "float32", size: 26, init: new Float32Array(26).fill(7) }], (k, [s], [d]) => k.copy(s, d, copyParams));
      expectClose(copied.got[0], copied.want[0], t.exact, "copy");
      const big = new Float32Array([NaN, Infinity, -Infinity, -0, 2.9, -2.9, 3e9, -3e9, 16777217]);
      const toInt = await runBoth(b, [big], [{ dtype: "int32", size: big.length }], (k, [s], [d]) => k.cast(s, d));
      expectClose(toInt.got[0], toInt.want[0], {}, "cast float32 → int32");
      const ints = new Int32Array([0, -1, 2147483647, -2147483648, 16777217]);
      const toFloat = await runBoth(b, [ints], [{ dtype: "float32", size: ints.length }], (k, [s], [d]) => k.cast(s, d));
      expectClose(toFloat.got[0], toFloat.want[0], t.exact, "cast int32 → float32");
    });

    it("rejects bad calls with the reference's KshotError messages (one validation layer)", () => {
      const ref = new ReferenceBackend();
      const message = (backend: Backend, call: (k: Backend, f: (n: number) => ReturnType<Backend["allocate"]>, i: (n: number) => ReturnType<Backend["allocate"]>) => void): string => {
        try {
          call(backend, (n) => backend.allocate("float32", n), (n) => backend.allocate("int32", n));
        } catch (e) {
          expect(e).toBeInstanceOf(KshotError);
          return (e as Error).message;
        }
        return "no error";
      };
      const calls: ((k: Backend, f: (n: number) => ReturnType<Backend["allocate"]>, i: (n: number) => ReturnType<Backend["allocate"]>) => void)[] = [
        (k, f) => k.unary("exp", f(6), f(3)),
        (k, _f, i) => k.unary("exp", i(3), i(3)),
        (k, f) => k.unary("nope" as UnaryOp, f(3), f(3)),
        (k, f, i) => k.binary("add", f(6), i(6), f(6), bcOf([6], [6], [6])),
        (k, f) => k.binary("add", f(6), f(3), f(6), bcOf([2, 3], [2, 3], [2, 3])),
        (k, f) => k.reduce("max", f(6), f(3), 2, 3, 2),
        (k, f) => k.reduce("argmax", f(6), f(2), 2, 3, 1),
        (k, f) => k.matmul(f(6), f(6), f(5), { batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }),
        (k, f) => k.gather(f(6), f(2), f(6), { outer: 1, axis: 6, inner: 1, count: 2, batchedIndices: false }),
        (k, f) => k.affinePoolRelu(f(16), f(3), f(4), { batch: 1, channels: 1, inH: 4, inW: 4, outH: 2, outW: 2, kh: 2, kw: 2, strideH: 2, strideW: 2 }),
        (k, f) => k.affinePoolRelu(f(16), f(4), f(3), { batch: 1, channels: 1, inH: 4, inW: 4, outH: 2, outW: 2, kh: 2, kw: 2, strideH: 2, strideW: 2 }),
        (k, f) => k.batchNorm(f(24), f(3), f(3), f(24), f(5), { batch: 2, channels: 3, spatial: 4, eps: 1e-5 }),
        (k, f, i) => k.batchNormBackward(f(24), f(24), f(3), f(6), i(24), f(6), { batch: 2, channels: 3, spatial: 4, eps: 1e-5 }),
        (k, f) => k.copy(f(4), f(4), { shape: [5], srcStrides: [1], srcOffset: 0, dstStrides: [1], dstOffset: 0 }),
        (k, f) => k.elementwise({ inputs: 1, steps: [{ kind: "unary", op: "exp", x: 3 }] }, [f(2)], f(2), bcOf([2], [2])),
      ];
      for (const call of calls) {
        const want = message(ref, call);
        expect(want).not.toBe("no error");
        expect(message(b, call), `${t.name} vs reference`).toBe(want);
      }
    });
  });
}
