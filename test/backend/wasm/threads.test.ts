// The threaded wasm backend: GEMMs, convolutions, elementwise kernels and fused programs, reductions, max-pooling, gather,
// scatter-add and BatchNorm split over worker threads give exactly the results of one thread (every output element is
// computed by one part, with the same arithmetic), whatever the thread count, the shape, or NaN/Inf in the
// inputs; and the pool starts, reports and stops cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  Backend, BackendBuffer, BinaryOp, Broadcast, Conv2dParams, ElementwiseProgram, GatherParams, MatmulParams, Pool2dParams, ReduceOp, UnaryOp,
} from "../../../src/backend/backend.ts";
import { createWasmBackend, threadsUnavailable, type WasmBackend } from "../../../src/backend/wasm/index.ts";
import { expectSame, randomFloats, randomInts, rng, upload } from "./parity.ts";
import { convParams, type ConvShape } from "./conv-params.ts";


// Each large enough (≥ 2^20 multiply-adds) to be split.
const CONV_CASES: Record<string, ConvShape> = {
  "Conv-4 first layer, chunks of images": [20, 1, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1],
  "Conv-4 first layer, 4 tasks as groups": [6, 4, 28, 28, 4 * 16, 3, 3, 1, 1, 1, 1, 4],
  "Conv-4 second layer": [6, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1],
  "Conv-4 second layer, 20 images (Winograd F(4×4), backward filter too)": [20, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1],
  "Conv-4 fourth layer, 12 images of 3×3 (the GEMM path; one chunk cut into four)": [12, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1, 1],
  "4 tasks as groups": [4, 4 * 64, 7, 7, 4 * 64, 3, 3, 1, 1, 1, 1, 4],
  "32 tasks as groups": [3, 32 * 16, 5, 5, 32 * 16, 3, 3, 1, 1, 1, 1, 32],
  "large image in pixel pieces": [2, 16, 48, 50, 8, 3, 3, 1, 1, 1, 1, 1],
  "stride 2 (col2im backward data)": [6, 16, 29, 29, 32, 3, 3, 2, 2, 1, 1, 1],
  "1×1 kernel": [8, 64, 14, 14, 64, 1, 1, 1, 1, 0, 0, 1],
  "few output channels: row blocks shorter than the parts": [12, 32, 10, 10, 5, 3, 3, 1, 1, 1, 1, 1],
  "few input channels (plain patch matrices)": [40, 3, 16, 16, 24, 3, 3, 1, 1, 1, 1, 1],
};

function convOnce(b: Backend, kernel: "conv2d" | "conv2dBackwardData" | "conv2dBackwardFilter", p: Conv2dParams, first: Float32Array, second: Float32Array, outSize: number): Float32Array {
  const out = upload(b, new Float32Array(outSize).fill(9));
  const a = upload(b, first), c = upload(b, second);
  b[kernel](a, c, out, p);
  const result = b.readSync(out) as Float32Array;
  for (const x of [a, c, out]) b.free(x);
  return result;
}

function matmulOnce(b: Backend, p: MatmulParams, a: Float32Array, bData: Float32Array): Float32Array {
  const x = upload(b, a), y = upload(b, bData), out: BackendBuffer = upload(b, new Float32Array(p.batch * p.m * p.n).fill(9));
  b.matmul(x, y, out, p);
  const result = b.readSync(out) as Float32Array;
  for (const t of [x, y, out]) b.free(t);
  return result;
}

/** Row-major strides of `shape`, 0 along its axes of size 1 (a broadcast operand). */
function stridesOf(shape: readonly number[]): number[] {
  const strides = shape.map(() => 0);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = shape[d] === 1 ? 0 : s;
    s *= shape[d]!;
  }
  return strides;
}

/** Runs `call` on fresh copies of `inputs` and an output of `outSize` elements of `outDtype`; reads it back. */
function kernelOnce(b: Backend, inputs: readonly (Float32Array | Int32Array)[], outSize: number, outDtype: "float32" | "int32",
  call: (ins: BackendBuffer[], out: BackendBuffer) => void): Float32Array | Int32Array {
  const ins = inputs.map((x) => upload(b, x));
  const out = upload(b, outDtype === "float32" ? new Float32Array(outSize).fill(9) : new Int32Array(outSize).fill(9));
  call(ins, out);
  const result = b.readSync(out) as Float32Array | Int32Array;
  for (const t of [...ins, out]) b.free(t);
  return result;
}

/** Float32 data with NaN, ±Inf and signed zeros sprinkled in, so every path sees them. */
function specialFloats(n: number, random: () => number): Float32Array {
  const x = randomFloats(n, random);
  for (let i = 7; i < n; i += 997) x[i] = [NaN, Infinity, -Infinity, -0, 0][i % 5]!;
  return x;
}

// Broadcast shapes (out, a, b), each with at least 2^16 outputs (so they are split): same shapes, a
// per-channel row, a scalar, a column, a single long row (fewer rows than parts), an odd inner length.
const BROADCASTS: [out: number[], a: number[], b: number[]][] = [
  [[40, 64, 49], [40, 64, 49], [40, 64, 49]],
  [[30, 64, 7, 7], [30, 64, 7, 7], [1, 64, 1, 1]],
  [[70001], [70001], [1]],
  [[300, 257], [300, 1], [1, 257]],
  [[1, 65539], [1, 65539], [1, 65539]],
  [[3, 5, 4423], [1, 5, 4423], [3, 1, 1]],
];

const unavailable = threadsUnavailable();

describe.skipIf(unavailable !== undefined)("wasm threads", () => {
  let one: WasmBackend, two: WasmBackend, three: WasmBackend;
  beforeAll(async () => {
    [one, two, three] = await Promise.all([1, 2, 3].map((threads) => createWasmBackend({ threads })));
  });
  afterAll(() => {
    for (const b of [one, two, three]) b?.dispose();
  });

  it("reports its threads, and splits large calls only", () => {
    expect([one.threads, two.threads, three.threads]).toEqual([1, 2, 3]);
    expect(two.build).toBe("simd");
    const random = rng(1);
    const small = convParams([1, 4, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1]), large = convParams([20, 1, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1]);
    const run = (p: Conv2dParams) => convOnce(two, "conv2d", p, randomFloats(p.batch * p.inC * p.inH * p.inW, random), randomFloats(p.outC * p.inC * 9, random), p.batch * p.outC * p.outH * p.outW);
    const before = two.parallelDispatches;
    run(small);
    expect(two.parallelDispatches, "a small convolution runs whole").toBe(before);
    run(large);
    expect(two.parallelDispatches, "a large one runs in parts").toBe(before + 1);
    expect(one.parallelDispatches).toBe(0);
  });

  it("runs each part of back-to-back calls once, whichever thread takes it", () => {
    // In-place adds: a part run twice, or not at all, leaves its elements off the count. Every other call
    // comes after a pause long enough for the workers to fall asleep, and a call this short often ends
    // before they wake, so the calling thread takes their parts too.
    const size = 1 << 16, calls = 400;
    const bc: Broadcast = { outShape: [size], strides: [[1], [1]] };
    const pause = () => { for (const end = performance.now() + 0.5; performance.now() < end;); };
    for (const b of [two, three]) {
      const x = upload(b, new Float32Array(size)), ones = upload(b, new Float32Array(size).fill(1));
      const before = b.parallelDispatches;
      for (let i = 0; i < calls; i++) {
        if (i % 2) pause();
        b.binary("add", x, ones, x, bc);
      }
      expect(b.parallelDispatches - before, "every call runs in parts").toBe(calls);
      const got = b.readSync(x) as Float32Array;
      const wrong = got.findIndex((v) => v !== calls);
      expect(wrong === -1 ? "all" : `element ${wrong}: ${got[wrong]}`, `${b.threads} threads`).toBe("all");
      b.free(x);
      b.free(ones);
    }
  });

  for (const [what, shape] of Object.entries(CONV_CASES)) {
    it(`${what}: forward, backward data and backward filter equal one thread's, bit for bit`, () => {
      const p = convParams(shape);
      const random = rng(shape.reduce((a, b) => a * 31 + b, 11));
      const xSize = p.batch * p.inC * p.inH * p.inW, wSize = p.outC * (p.inC / p.groups) * p.kh * p.kw;
      const ySize = p.batch * p.outC * p.outH * p.outW;
      const x = randomFloats(xSize, random), w = randomFloats(wSize, random), dy = randomFloats(ySize, random);
      const calls = [
        ["conv2d", x, w, ySize], ["conv2dBackwardData", dy, w, xSize], ["conv2dBackwardFilter", x, dy, wSize],
      ] as const;
      for (const [kernel, first, second, size] of calls) {
        const want = convOnce(one, kernel, p, first, second, size);
        expectSame(convOnce(two, kernel, p, first, second, size), want, `${kernel}, 2 threads`);
        expectSame(convOnce(three, kernel, p, first, second, size), want, `${kernel}, 3 threads`);
      }
    });
  }

  it("gives one thread's results when NaN and Inf send a convolution to its single-part path", () => {
    // The last elements only: the single-channel backward filter's later parts see them, the first does not
    // (both shapes have enough multiply-adds to be split).
    for (const shape of [[8, 16, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1], [16, 1, 12, 12, 64, 3, 3, 1, 1, 1, 1, 1]] as ConvShape[]) {
      const p = convParams(shape);
      const random = rng(5);
      const xSize = p.batch * p.inC * p.inH * p.inW, wSize = p.outC * p.inC * 9, ySize = p.batch * p.outC * p.outH * p.outW;
      const x = randomFloats(xSize, random), w = randomFloats(wSize, random), dy = randomFloats(ySize, random);
      x[xSize - 5] = NaN;
      w[wSize - 3] = Infinity;
      dy[ySize - 1] = -Infinity;
      for (const [kernel, first, second, size] of [["conv2d", x, w, ySize], ["conv2dBackwardData", dy, w, xSize], ["conv2dBackwardFilter", x, dy, wSize]] as const) {
        const want = convOnce(one, kernel, p, first, second, size);
        const what = `${kernel} ${JSON.stringify(shape)}`;
        expect(want.some((v) => !Number.isFinite(v)), `${what}: NaN or ±Inf reaches the output`).toBe(true);
        expectSame(convOnce(two, kernel, p, first, second, size), want, `${what}, 2 threads`);
        expectSame(convOnce(three, kernel, p, first, second, size), want, `${what}, 3 threads`);
      }
    }
  });

  it("splits batched, transposed and broadcast matrix products with one thread's results", () => {
    const random = rng(3);
    const cases: MatmulParams[] = [
      { batch: 1, m: 301, n: 203, k: 150, transA: false, transB: false, aBatchStride: 301 * 150, bBatchStride: 203 * 150 },
      { batch: 1, m: 3, n: 1000, k: 700, transA: true, transB: true, aBatchStride: 2100, bBatchStride: 700000 },
      { batch: 8, m: 64, n: 50, k: 70, transA: false, transB: true, aBatchStride: 64 * 70, bBatchStride: 50 * 70 },
      { batch: 5, m: 90, n: 64, k: 100, transA: false, transB: false, aBatchStride: 9000, bBatchStride: 0 },
      { batch: 3, m: 50, n: 120, k: 80, transA: true, transB: false, aBatchStride: 0, bBatchStride: 9600 },
    ];
    for (const p of cases) {
      const aSize = Math.max(1, (p.batch - 1) * p.aBatchStride + p.m * p.k), bSize = Math.max(1, (p.batch - 1) * p.bBatchStride + p.k * p.n);
      const a = randomFloats(aSize, random), b = randomFloats(bSize, random);
      const want = matmulOnce(one, p, a, b);
      const what = `batch ${p.batch}, ${p.m}×${p.k}·${p.k}×${p.n}, transA ${p.transA}, transB ${p.transB}`;
      expectSame(matmulOnce(two, p, a, b), want, `${what}, 2 threads`);
      expectSame(matmulOnce(three, p, a, b), want, `${what}, 3 threads`);
    }
  });

  it("splits unary, binary and where calls with one thread's results, broadcast and NaN included", () => {
    const random = rng(21);
    const before = two.parallelDispatches;
    for (const op of ["neg", "exp", "sqrt", "relu", "tanh"] as UnaryOp[]) {
      const x = specialFloats(100_003, random);
      const run = (b: Backend) => kernelOnce(b, [x], x.length, "float32", ([i], o) => b.unary(op, i!, o));
      const want = run(one);
      expectSame(run(two), want, `${op}, 2 threads`);
      expectSame(run(three), want, `${op}, 3 threads`);
    }
    for (const [outShape, aShape, bShape] of BROADCASTS) {
      const size = outShape.reduce((p, e) => p * e, 1);
      const bc: Broadcast = { outShape, strides: [stridesOf(aShape), stridesOf(bShape)] };
      const a = specialFloats(aShape.reduce((p, e) => p * e, 1), random), b = specialFloats(bShape.reduce((p, e) => p * e, 1), random);
      for (const op of ["add", "mul", "div", "max", "greater"] as BinaryOp[]) {
        const outDtype = op === "greater" ? "int32" : "float32";
        const run = (be: Backend) => kernelOnce(be, [a, b], size, outDtype, ([x, y], o) => be.binary(op, x!, y!, o, bc));
        const want = run(one);
        expectSame(run(two), want, `${op} ${JSON.stringify(outShape)}, 2 threads`);
        expectSame(run(three), want, `${op} ${JSON.stringify(outShape)}, 3 threads`);
      }
      const cond = randomInts(aShape.reduce((p, e) => p * e, 1), random, 0, 2);
      const where: Broadcast = { outShape, strides: [stridesOf(aShape), stridesOf(aShape), stridesOf(bShape)] };
      const run = (be: Backend) => kernelOnce(be, [cond, a, b], size, "float32", ([c, x, y], o) => be.where(c!, x!, y!, o, where));
      expectSame(run(two), run(one), `where ${JSON.stringify(outShape)}, 2 threads`);
      expectSame(run(three), run(one), `where ${JSON.stringify(outShape)}, 3 threads`);
    }
    const ints = randomInts(90_001, random, -1000, 1000);
    const intRun = (be: Backend) => kernelOnce(be, [ints, ints], ints.length, "int32", ([x, y], o) => be.binary("mul", x!, y!, o, { outShape: [ints.length], strides: [[1], [1]] }));
    expectSame(intRun(two), intRun(one), "int32 mul, 2 threads");
    expect(two.parallelDispatches, "every call above is large enough to be split").toBeGreaterThan(before + 30);
  });

  it("splits fused elementwise programs by rows or runs of elements with one thread's results", () => {
    const random = rng(27);
    const before = two.parallelDispatches;
    // The broadcasts include per-row operands (blocks within rows), a single long row (fewer rows than
    // parts), odd inner lengths and a scalar, so every part starts its walk somewhere inside the layout.
    const programs: ElementwiseProgram[] = [
      { inputs: 2, steps: [{ kind: "unary", op: "exp", x: 0 }, { kind: "binary", op: "mul", a: 2, b: 1 }, { kind: "const", value: 0.5 }, { kind: "binary", op: "add", a: 3, b: 4 }] },
      { inputs: 2, steps: [{ kind: "binary", op: "greater", a: 0, b: 1 }, { kind: "unary", op: "tanh", x: 0 }, { kind: "where", cond: 2, a: 3, b: 1 }] },
    ];
    for (const [outShape, aShape, bShape] of BROADCASTS) {
      const size = outShape.reduce((p, e) => p * e, 1);
      const bc: Broadcast = { outShape, strides: [stridesOf(aShape), stridesOf(bShape)] };
      const a = specialFloats(aShape.reduce((p, e) => p * e, 1), random), b = specialFloats(bShape.reduce((p, e) => p * e, 1), random);
      for (const program of programs) {
        const run = (be: Backend) => kernelOnce(be, [a, b], size, "float32", ([x, y], o) => be.elementwise(program, [x!, y!], o, bc));
        const want = run(one);
        expectSame(run(two), want, `${JSON.stringify(program.steps)} ${JSON.stringify(outShape)}, 2 threads`);
        expectSame(run(three), want, `${JSON.stringify(program.steps)} ${JSON.stringify(outShape)}, 3 threads`);
      }
    }
    expect(two.parallelDispatches, "every program above is large enough to be split").toBe(before + 2 * BROADCASTS.length);
  });

  it("splits reductions with one thread's results: sums in f64 in the same order, first extremes, argmax", () => {
    const random = rng(33);
    // [outer, reduce, inner]: many rows; fewer rows than parts (column blocks); whole rows (inner 1); one output.
    const views: [number, number, number][] = [[64, 30, 49], [1, 40, 3001], [2, 9, 8193], [3000, 37, 1], [1, 70001, 1], [5, 3, 9001]];
    for (const [outer, reduce, inner] of views) {
      const x = specialFloats(outer * reduce * inner, random);
      for (const op of ["sum", "max", "min", "argmax"] as ReduceOp[]) {
        const outDtype = op === "argmax" ? "int32" : "float32";
        const run = (b: Backend) => kernelOnce(b, [x], outer * inner, outDtype, ([i], o) => b.reduce(op, i!, o, outer, reduce, inner));
        const want = run(one);
        const what = `${op} over [${outer},${reduce},${inner}]`;
        expectSame(run(two), want, `${what}, 2 threads`);
        expectSame(run(three), want, `${what}, 3 threads`);
      }
      const ints = randomInts(outer * reduce * inner, random, -50, 50);
      const run = (b: Backend) => kernelOnce(b, [ints], outer * inner, "int32", ([i], o) => b.reduce("sum", i!, o, outer, reduce, inner));
      expectSame(run(three), run(one), `int32 sum over [${outer},${reduce},${inner}], 3 threads`);
    }
  });

  it("splits max-pooling (plain and affinePoolRelu), gather and scatter-add by planes and slices with one thread's results", () => {
    const random = rng(44);
    const pools: Pool2dParams[] = [
      { batch: 30, channels: 64, inH: 14, inW: 14, outH: 7, outW: 7, kh: 2, kw: 2, strideH: 2, strideW: 2 },
      { batch: 7, channels: 3, inH: 61, inW: 67, outH: 59, outW: 65, kh: 3, kw: 3, strideH: 1, strideW: 1 },
      { batch: 5, channels: 5, inH: 40, inW: 41, outH: 13, outW: 13, kh: 3, kw: 3, strideH: 3, strideW: 3 },
    ];
    for (const p of pools) {
      const x = specialFloats(p.batch * p.channels * p.inH * p.inW, random), outSize = p.batch * p.channels * p.outH * p.outW;
      const run = (b: Backend) => {
        const xs = upload(b, x), y = upload(b, new Float32Array(outSize).fill(9)), idx = upload(b, new Int32Array(outSize).fill(9));
        b.maxPool2d(xs, y, idx, p);
        const result = [b.readSync(y) as Float32Array, b.readSync(idx) as Int32Array] as const;
        for (const t of [xs, y, idx]) b.free(t);
        return result;
      };
      const [wantY, wantI] = run(one);
      for (const [b, label] of [[two, "2 threads"], [three, "3 threads"]] as const) {
        const [y, i] = run(b);
        expectSame(y, wantY, `max-pool ${p.inH}×${p.inW} stride ${p.strideW}, ${label}`);
        expectSame(i, wantI, `max-pool indices ${p.inH}×${p.inW} stride ${p.strideW}, ${label}`);
      }
      const channel = specialFloats(4 * p.channels, random);
      const affine = (b: Backend) => {
        const xs = upload(b, x), c = upload(b, channel), y = upload(b, new Float32Array(outSize).fill(9));
        b.affinePoolRelu(xs, c, y, p);
        const result = b.readSync(y) as Float32Array;
        for (const t of [xs, c, y]) b.free(t);
        return result;
      };
      const want = affine(one);
      for (const [b, label] of [[two, "2 threads"], [three, "3 threads"]] as const) {
        expectSame(affine(b), want, `affinePoolRelu ${p.inH}×${p.inW} stride ${p.strideW}, ${label}`);
      }
    }
    // [outer, axis, inner] data, count indices (some out of range, some repeated), batched or shared.
    const cases: GatherParams[] = [
      { outer: 600, axis: 196, inner: 1, count: 49, batchedIndices: true },
      { outer: 9, axis: 50, inner: 300, count: 70, batchedIndices: false },
      { outer: 3, axis: 20000, inner: 1, count: 30000, batchedIndices: true },
    ];
    for (const p of cases) {
      const idx = randomInts((p.batchedIndices ? p.outer : 1) * p.count, random, -2, p.axis + 2);
      const data = specialFloats(p.outer * p.axis * p.inner, random), src = specialFloats(p.outer * p.count * p.inner, random);
      const gather = (b: Backend) => kernelOnce(b, [data, idx], p.outer * p.count * p.inner, "float32", ([d, i], o) => b.gather(d!, i!, o, p));
      const scatter = (b: Backend) => kernelOnce(b, [src, idx], p.outer * p.axis * p.inner, "float32", ([s, i], o) => b.scatterAdd(s!, i!, o, p));
      const what = `[${p.outer},${p.axis},${p.inner}] × ${p.count}`;
      expectSame(gather(two), gather(one), `gather ${what}, 2 threads`);
      expectSame(gather(three), gather(one), `gather ${what}, 3 threads`);
      expectSame(scatter(two), scatter(one), `scatter-add ${what}, 2 threads`);
      expectSame(scatter(three), scatter(one), `scatter-add ${what}, 3 threads`);
    }
  });

  it("splits batchNorm and its backward by channels with one thread's results", () => {
    const random = rng(45);
    for (const p of [{ batch: 25, channels: 64, spatial: 28 * 28, eps: 1e-5 }, { batch: 9, channels: 5, spatial: 49 * 31, eps: 1e-5 }]) {
      const size = p.batch * p.channels * p.spatial;
      // Specials in channel 0 only: elsewhere the statistics stay finite.
      const x = randomFloats(size, random), dy = randomFloats(size, random);
      x[3] = NaN;
      dy[p.spatial + 1] = Infinity;
      const gamma = randomFloats(p.channels, random), beta = randomFloats(p.channels, random);
      const run = (b: Backend) => {
        const [xs, g, be, d] = [x, gamma, beta, dy].map((v) => upload(b, v));
        const [y, stats, dx, sums] = [size, 2 * p.channels, size, 2 * p.channels].map((n) => upload(b, new Float32Array(n).fill(9)));
        b.batchNorm(xs!, g!, be!, y!, stats!, p);
        b.batchNormBackward(d!, xs!, g!, stats!, dx!, sums!, p);
        const result = [y, stats, dx, sums].map((t) => b.readSync(t!) as Float32Array);
        for (const t of [xs, g, be, d, y, stats, dx, sums]) b.free(t!);
        return result;
      };
      const want = run(one);
      for (const [b, label] of [[two, "2 threads"], [three, "3 threads"]] as const) {
        run(b).forEach((got, k) => expectSame(got, want[k]!, `batchNorm [${p.batch},${p.channels},${p.spatial}] output ${k}, ${label}`));
      }
    }
  });

  it("shares one heap between the threads: memory grows while workers allocate, nothing leaks", () => {
    const before = two.bytesInUse();
    // A batch large enough that every thread's scratch and the tensors need more than the initial memory.
    const p = convParams([64, 32, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1]);
    const random = rng(9);
    const x = randomFloats(p.batch * p.inC * p.inH * p.inW, random), w = randomFloats(p.outC * p.inC * 9, random);
    const size = p.batch * p.outC * p.outH * p.outW;
    const want = convOnce(one, "conv2d", p, x, w, size);
    for (let i = 0; i < 3; i++) expectSame(convOnce(two, "conv2d", p, x, w, size), want, `round ${i}`);
    expect(two.bytesInUse()).toBe(before);
    expect(two.memoryBytes()).toBeGreaterThan(16 * 65536);
  });

  it("rejects thread counts it cannot run", async () => {
    await expect(createWasmBackend({ threads: 0 })).rejects.toThrow(/threads to be an integer from 1 to 64, got 0/);
    await expect(createWasmBackend({ threads: 2.5 })).rejects.toThrow(/got 2.5/);
    await expect(createWasmBackend({ threads: 65 })).rejects.toThrow(/got 65/);
  });

  it("refuses work after dispose", async () => {
    const b = await createWasmBackend({ threads: 2 });
    b.dispose();
    expect(() => b.allocate("float32", 4)).toThrow(/after dispose/);
  });
});

describe.runIf(unavailable !== undefined)("wasm threads where the runtime has none", () => {
  it("says why threads cannot start", async () => {
    await expect(createWasmBackend({ threads: 2 })).rejects.toThrow(/cannot run 2 threads here/);
  });
});
