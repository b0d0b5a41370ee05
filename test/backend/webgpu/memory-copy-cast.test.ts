import { afterAll, describe, expect, it } from "vitest";
import type { CopyParams } from "../../../src/backend/backend.ts";
import { KshotError } from "../../../src/errors.ts";
import { contiguousStrides, expectClose, randomFloats, randomInts, runBoth, seeded } from "../kernel-harness.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

describe.skipIf(!gpu)("webgpu memory, fill, copy, cast", () => {
  const rand = seeded(2);

  it("writes and reads back float32 and int32, including empty buffers", async () => {
    const f = randomFloats(1001, rand);
    const fb = gpu!.allocate("float32", f.length);
    gpu!.write(fb, f);
    expect(Array.from(await gpu!.read(fb))).toEqual(Array.from(f));
    const i = randomInts(17, rand, -5, 5);
    const ib = gpu!.allocate("int32", i.length);
    gpu!.write(ib, i);
    const back = await gpu!.read(ib);
    expect(back).toBeInstanceOf(Int32Array);
    expect(Array.from(back)).toEqual(Array.from(i));
    const empty = gpu!.allocate("float32", 0);
    expect((await gpu!.read(empty)).length).toBe(0);
    for (const b of [fb, ib, empty]) gpu!.free(b);
  });

  it("refuses readSync with a message that points at data()", () => {
    const b = gpu!.allocate("float32", 4);
    expect(gpu!.canReadSync).toBe(false);
    expect(() => gpu!.readSync(b)).toThrow(KshotError);
    expect(() => gpu!.readSync(b)).toThrow(/await t\.data\(\)/);
    gpu!.free(b);
  });

  it("refuses float64, freed buffers and mismatched writes", () => {
    expect(() => gpu!.allocate("float64", 3)).toThrow(/float32 or int32/);
    const b = gpu!.allocate("float32", 3);
    expect(() => gpu!.write(b, new Float32Array(2))).toThrow(/expected 3 elements, got 2/);
    gpu!.free(b);
    expect(() => gpu!.fill(b, 1)).toThrow(/freed/);
  });

  it("orders a write after earlier kernels that read the same buffer", async () => {
    const x = gpu!.allocate("float32", 4);
    const y = gpu!.allocate("float32", 4);
    gpu!.write(x, new Float32Array([1, 2, 3, 4]));
    gpu!.unary("neg", x, y);
    gpu!.write(x, new Float32Array([9, 9, 9, 9]));
    expect(Array.from(await gpu!.read(y))).toEqual([-1, -2, -3, -4]);
    expect(Array.from(await gpu!.read(x))).toEqual([9, 9, 9, 9]);
    gpu!.free(x);
    gpu!.free(y);
  });

  it("fills float32 and int32 buffers", async () => {
    for (const [dtype, value] of [["float32", -1.25], ["float32", NaN], ["int32", -7], ["float32", -Infinity]] as const) {
      const { got, want } = await runBoth(gpu!, [], [{ dtype, size: 333 }], (b, _i, [o]) => b.fill(o, value));
      expectClose(got[0], want[0], {}, `fill ${dtype} ${value}`);
    }
  });

  it("copies with transposes, slices, offsets, broadcasts and flips, leaving other elements alone", async () => {
    const src = randomFloats(6 * 5 * 4, rand);
    const cases: [string, CopyParams, number][] = [
      ["transpose", { shape: [5, 6, 4], srcStrides: [4, 20, 1], srcOffset: 0, dstStrides: contiguousStrides([5, 6, 4]), dstOffset: 0 }, 120],
      ["slice into a bigger dst", { shape: [3, 2, 4], srcStrides: [20, 4, 1], srcOffset: 25, dstStrides: [16, 4, 1], dstOffset: 7 }, 60],
      ["broadcast", { shape: [3, 4, 4], srcStrides: [0, 1, 0], srcOffset: 3, dstStrides: [16, 4, 1], dstOffset: 0 }, 48],
      ["flip", { shape: [10], srcStrides: [-1], srcOffset: 9, dstStrides: [2], dstOffset: 1 }, 21],
      ["scalar", { shape: [], srcStrides: [], srcOffset: 5, dstStrides: [], dstOffset: 2 }, 4],
      ["rank 8", { shape: [2, 1, 2, 1, 2, 1, 2, 3], srcStrides: [60, 0, 1, 0, 30, 0, 2, 7], srcOffset: 0, dstStrides: [48, 0, 24, 0, 12, 0, 6, 2], dstOffset: 0 }, 96],
    ];
    for (const [what, p, dstSize] of cases) {
      const init = Float32Array.from({ length: dstSize }, (_v, i) => 1000 + i);
      const { got, want } = await runBoth(gpu!, [src], [{ dtype: "float32", size: dstSize, init }], (b, [s], [d]) => b.copy(s, d, p));
      expectClose(got[0], want[0], { rtol: 0, atol: 0 }, what);
    }
    const ints = randomInts(40, rand, -100, 100);
    const p: CopyParams = { shape: [8, 5], srcStrides: [1, 8], srcOffset: 0, dstStrides: [5, 1], dstOffset: 0 };
    const { got, want } = await runBoth(gpu!, [ints], [{ dtype: "int32", size: 40 }], (b, [s], [d]) => b.copy(s, d, p));
    expectClose(got[0], want[0], {}, "int32 transpose");
  });

  it("casts float32 to int32 by truncation (wrapping like ToInt32) and back", async () => {
    const f = new Float32Array([0.9, -0.9, 2.5, -2.5, 1e9, -1e9, 3e9, -3e9, 2147483648, -2147483648, 1e20, NaN, Infinity, -Infinity, -0, 16777217]);
    const r = await runBoth(gpu!, [f], [{ dtype: "int32", size: f.length }], (b, [x], [o]) => b.cast(x, o));
    expectClose(r.got[0], r.want[0], {}, "f32 -> i32");
    const i = new Int32Array([0, 1, -1, 16777217, -2147483648, 2147483647, 123456789]);
    const s = await runBoth(gpu!, [i], [{ dtype: "float32", size: i.length }], (b, [x], [o]) => b.cast(x, o));
    expectClose(s.got[0], s.want[0], { rtol: 0, atol: 0 }, "i32 -> f32");
    const same = await runBoth(gpu!, [f], [{ dtype: "float32", size: f.length }], (b, [x], [o]) => b.cast(x, o));
    expectClose(same.got[0], same.want[0], { rtol: 0, atol: 0 }, "f32 -> f32");
  });

  it("reads an input that is also the output from a copy (in-place unary)", async () => {
    const x = gpu!.allocate("float32", 5);
    gpu!.write(x, new Float32Array([1, -2, 3, -4, 5]));
    gpu!.unary("abs", x, x);
    expect(Array.from(await gpu!.read(x))).toEqual([1, 2, 3, 4, 5]);
    gpu!.free(x);
  });

  it("reuses pooled GPUBuffers: steady-state allocate/free creates none", async () => {
    const step = async () => {
      const a = gpu!.allocate("float32", 1000);
      const b = gpu!.allocate("float32", 1000);
      const c = gpu!.allocate("int32", 7);
      gpu!.fill(a, 1);
      gpu!.unary("exp", a, b);
      gpu!.fill(c, 3);
      await gpu!.read(b);
      for (const x of [a, b, c]) gpu!.free(x);
    };
    await step();
    const before = gpu!.counters.allocations;
    const live = gpu!.bytesInUse();
    for (let i = 0; i < 20; i++) await step();
    expect(gpu!.counters.allocations).toBe(before);
    expect(gpu!.bytesInUse()).toBe(live);
    expect(gpu!.cachedBytes()).toBeGreaterThan(0);
  });

  it("counts dispatches, submits in batches, and counts bytes moved", async () => {
    gpu!.resetCounters();
    const a = gpu!.allocate("float32", 64);
    gpu!.write(a, new Float32Array(64));
    for (let i = 0; i < 10; i++) gpu!.unary("relu", a, a);
    expect(gpu!.counters.dispatches).toBe(10);
    expect(gpu!.counters.submits).toBe(0);
    await gpu!.read(a);
    expect(gpu!.counters.submits).toBe(1);
    expect(gpu!.counters.bytesUploaded).toBe(256);
    expect(gpu!.counters.bytesReadBack).toBe(256);
    gpu!.free(a);
  });
});
