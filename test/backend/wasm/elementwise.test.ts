import { beforeAll, describe, expect, it } from "vitest";
import { BINARY_OPS, UNARY_OPS, type Broadcast, type UnaryOp } from "../../../src/backend/backend.ts";
import { KshotError } from "../../../src/errors.ts";
import { UNARY } from "../../../src/optable/index.ts";
import {
  backends, expectClose, expectSame, outputBoth, randomFloats, randomInts, readBoth, rng, uploadBoth, type Pair,
} from "./parity.ts";

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1e-30, 3e38, -3e38, 2.5, -2.5, 88, -104];
/** Ops whose float32 result is one IEEE operation (or a selection: a four-lane form) and must match bit for bit. */
const EXACT_UNARY = new Set<UnaryOp>(UNARY_OPS.filter((op) => UNARY[op].wasm.f32x4 !== undefined));

function floatsWithSpecials(n: number, random: () => number, scale: number): Float32Array {
  const a = randomFloats(n, random, scale);
  for (let i = 0; i < n; i += 7) a[i] = SPECIAL[Math.floor(random() * SPECIAL.length)];
  return a;
}

function randomShape(random: () => number, rank: number, maxDim: number): number[] {
  return Array.from({ length: rank }, () => 1 + Math.floor(random() * maxDim));
}

/** Strides of an input whose axes are either the output's or 1 (broadcast); `keep[d]` says which. */
function broadcastStrides(outShape: number[], keep: boolean[]): { strides: number[]; size: number } {
  const strides = new Array<number>(outShape.length).fill(0);
  let size = 1;
  for (let d = outShape.length - 1; d >= 0; d--) {
    if (keep[d]) {
      strides[d] = size;
      size *= outShape[d];
    }
  }
  return { strides, size };
}

describe("wasm elementwise kernels match the reference", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  it("runs every float32 unary op, including NaN, ±Inf, ±0", () => {
    const random = rng(11);
    for (const n of [1, 3, 4, 7, 64, 1001]) {
      const x = floatsWithSpecials(n, random, 6);
      for (const op of UNARY_OPS) {
        const [xw, xr] = uploadBoth(pair, x);
        const [yw, yr] = outputBoth(pair, "float32", n);
        pair.wasm.unary(op, xw, yw);
        pair.ref.unary(op, xr, yr);
        const [got, want] = readBoth(pair, yw, yr);
        if (EXACT_UNARY.has(op)) expectSame(got, want, op);
        else expectClose(got, want, 2e-7, undefined, 1e-37, op);
      }
    }
  });

  it("runs the int32 unary ops (those with an int32 form)", () => {
    const random = rng(12);
    const x = randomInts(203, random, -50_000, 50_000);
    x.set([0, -2147483648, 2147483647, -1, 1], 0);
    for (const op of UNARY_OPS.filter((op) => UNARY[op].int32)) {
      const [xw, xr] = uploadBoth(pair, x);
      const [yw, yr] = outputBoth(pair, "int32", x.length);
      pair.wasm.unary(op, xw, yw);
      pair.ref.unary(op, xr, yr);
      const [got, want] = readBoth(pair, yw, yr);
      expectSame(got, want, op);
    }
  });

  it("runs every binary op on random broadcasts (float32)", () => {
    const random = rng(13);
    for (let trial = 0; trial < 60; trial++) {
      const rank = Math.floor(random() * 5);
      const outShape = randomShape(random, rank, trial < 50 ? 6 : 40);
      const ka = outShape.map(() => random() < 0.7);
      const kb = outShape.map(() => random() < 0.6);
      const sa = broadcastStrides(outShape, ka), sb = broadcastStrides(outShape, kb);
      const a = floatsWithSpecials(sa.size, random, 4), b = floatsWithSpecials(sb.size, random, 4);
      const bc: Broadcast = { outShape, strides: [sa.strides, sb.strides] };
      const size = outShape.reduce((p, q) => p * q, 1);
      for (const op of BINARY_OPS) {
        const [aw, ar] = uploadBoth(pair, a), [bw, br] = uploadBoth(pair, b);
        const [yw, yr] = outputBoth(pair, "float32", size);
        pair.wasm.binary(op, aw, bw, yw, bc);
        pair.ref.binary(op, ar, br, yr, bc);
        const [got, want] = readBoth(pair, yw, yr);
        if (op === "pow") expectClose(got, want, 2e-7, undefined, 1e-37, `${op} ${JSON.stringify(bc)}`);
        else expectSame(got, want, `${op} ${JSON.stringify(bc)}`);
      }
    }
  });

  it("runs every binary op on int32, comparisons into int32 and float32", () => {
    const random = rng(14);
    const outShape = [3, 5, 7];
    const sa = broadcastStrides(outShape, [true, true, true]), sb = broadcastStrides(outShape, [false, true, true]);
    const a = randomInts(sa.size, random, -20, 20), b = randomInts(sb.size, random, -5, 5);
    a.set([-2147483648, 2147483647, 46341, 7], 0);
    b.set([-1, 2, 46341, 0], 0);
    const bc: Broadcast = { outShape, strides: [sa.strides, sb.strides] };
    for (const op of BINARY_OPS) {
      const outDtypes = op.startsWith("greater") || op.startsWith("less") || op.endsWith("qual") ? ["int32", "float32"] as const : ["int32"] as const;
      for (const dtype of outDtypes) {
        const [aw, ar] = uploadBoth(pair, a), [bw, br] = uploadBoth(pair, b);
        const [yw, yr] = outputBoth(pair, dtype, 105);
        pair.wasm.binary(op, aw, bw, yw, bc);
        pair.ref.binary(op, ar, br, yr, bc);
        const [got, want] = readBoth(pair, yw, yr);
        expectSame(got, want, `${op} → ${dtype}`);
      }
    }
  });

  it("runs where with float32 and int32 conditions", () => {
    const random = rng(15);
    for (const condDtype of ["float32", "int32"] as const) {
      for (const outShape of [[10], [4, 1, 9], [3, 6, 5], [130]]) {
        const sc = broadcastStrides(outShape, outShape.map(() => random() < 0.7));
        const sa = broadcastStrides(outShape, outShape.map(() => true));
        const sb = broadcastStrides(outShape, outShape.map(() => random() < 0.5));
        const c = condDtype === "int32" ? randomInts(sc.size, random, -1, 2) : floatsWithSpecials(sc.size, random, 1).map((v) => (v > 0.3 ? 0 : v));
        const a = randomFloats(sa.size, random), b = randomFloats(sb.size, random);
        const bc: Broadcast = { outShape, strides: [sc.strides, sa.strides, sb.strides] };
        const [cw, cr] = uploadBoth(pair, c), [aw, ar] = uploadBoth(pair, a), [bw, br] = uploadBoth(pair, b);
        const [yw, yr] = outputBoth(pair, "float32", sa.size);
        pair.wasm.where(cw, aw, bw, yw, bc);
        pair.ref.where(cr, ar, br, yr, bc);
        expectSame(...readBoth(pair, yw, yr), `where ${condDtype} ${outShape}`);
      }
    }
  });

  it("rejects mismatched calls with KshotErrors", () => {
    const [a] = uploadBoth(pair, new Float32Array(6));
    const [b] = uploadBoth(pair, new Float32Array(3));
    const [y] = outputBoth(pair, "float32", 6);
    const [i] = outputBoth(pair, "int32", 6);
    expect(() => pair.wasm.binary("add", a, b, y, { outShape: [2, 3], strides: [[3, 1], [3, 1]] })).toThrow(KshotError);
    expect(() => pair.wasm.binary("add", a, b, y, { outShape: [2, 4], strides: [[3, 1], [0, 1]] })).toThrow(/out of 8 elements/);
    expect(() => pair.wasm.binary("add", a, i, y, { outShape: [2, 3], strides: [[3, 1], [3, 1]] })).toThrow(/dtypes/);
    expect(() => pair.wasm.unary("exp", a, b)).toThrow(/same size/);
  });
});
