import { describe, expect, it } from "vitest";
import { createWasmBackend } from "../../../src/backend/wasm/index.ts";
import { KshotError } from "../../../src/errors.ts";
import { rng } from "./parity.ts";

describe("wasm backend memory", () => {
  it("reports itself", async () => {
    const b = await createWasmBackend();
    expect(b.name).toBe("wasm");
    expect(b.dtypes).toEqual(["float32", "int32"]);
    expect(b.canReadSync).toBe(true);
    expect(b.build).toBe("simd");
    expect(b.deterministic).toBe(true);
  });

  it("writes and reads back both dtypes", async () => {
    const b = await createWasmBackend();
    const f = b.allocate("float32", 5);
    const i = b.allocate("int32", 3);
    b.write(f, new Float32Array([1, -2.5, NaN, Infinity, 3e38]));
    b.write(i, new Int32Array([7, -8, 2147483647]));
    expect(Array.from(b.readSync(f))).toEqual([1, -2.5, NaN, Infinity, new Float32Array([3e38])[0]]);
    expect(Array.from(await b.read(i))).toEqual([7, -8, 2147483647]);
    expect(b.bytesInUse()).toBe(32);
    expect(b.counters.allocations).toBe(2);
    expect(b.counters.bytesUploaded).toBe(32);
    b.free(f);
    expect(b.bytesInUse()).toBe(12);
  });

  it("counts kernel calls, allocations and transfers", async () => {
    const b = await createWasmBackend();
    const x = b.allocate("float32", 8), y = b.allocate("float32", 8);
    b.write(x, new Float32Array(8).fill(2));
    b.unary("exp", x, y);
    b.fill(y, 1);
    b.binary("add", x, y, y, { outShape: [8], strides: [[1], [1]] });
    expect(b.counters).toEqual({ dispatches: 3, allocations: 2, bytesAllocated: 64, bytesUploaded: 32, bytesReadBack: 0 });
    expect(Array.from(b.readSync(y))).toEqual(new Array(8).fill(3));
    expect(b.counters.bytesReadBack).toBe(32);
    b.resetCounters();
    expect(b.counters).toEqual({ dispatches: 0, allocations: 0, bytesAllocated: 0, bytesUploaded: 0, bytesReadBack: 0 });
    expect(b.bytesInUse()).toBe(64);
  });

  it("returns 16-byte aligned, non-overlapping blocks", async () => {
    const b = await createWasmBackend();
    const random = rng(1);
    const live: { buf: ReturnType<typeof b.allocate>; value: number }[] = [];
    for (let step = 0; step < 2000; step++) {
      if (live.length > 0 && random() < 0.45) {
        const k = Math.floor(random() * live.length);
        const [gone] = live.splice(k, 1);
        expect(Array.from(new Set(b.readSync(gone.buf)))).toEqual([gone.value]);
        b.free(gone.buf);
      } else {
        const size = 1 + Math.floor(random() ** 3 * 20000);
        const buf = b.allocate("int32", size);
        expect(((buf as unknown as { ptr: number }).ptr) % 16).toBe(0);
        b.write(buf, new Int32Array(size).fill(step));
        live.push({ buf, value: step });
      }
    }
    for (const { buf, value } of live) expect(Array.from(new Set(b.readSync(buf)))).toEqual([value]);
  });

  it("reuses freed memory: 10,000 allocate/free cycles do not grow memory", async () => {
    const b = await createWasmBackend();
    const sizes = [1, 3, 64, 1000, 4096, 50_000, 300_000];
    const cycle = (): void => {
      const bufs = sizes.map((n) => b.allocate("float32", n));
      for (const buf of bufs.reverse()) b.free(buf);
    };
    for (let i = 0; i < 10; i++) cycle();
    const after = b.memoryBytes();
    for (let i = 0; i < 10_000 / sizes.length; i++) cycle();
    expect(b.memoryBytes()).toBe(after);
    expect(b.bytesInUse()).toBe(0);
  });

  it("merges freed neighbours so a large block fits where small ones were", async () => {
    const b = await createWasmBackend();
    const small = Array.from({ length: 64 }, () => b.allocate("float32", 16_384));
    const grown = b.memoryBytes();
    for (const s of small) b.free(s);
    const big = b.allocate("float32", 64 * 16_384 - 1024);
    expect(b.memoryBytes()).toBe(grown);
    b.free(big);
  });

  it("keeps data and views valid across memory growth", async () => {
    const b = await createWasmBackend();
    const first = b.allocate("float32", 4);
    b.write(first, new Float32Array([1, 2, 3, 4]));
    const before = b.memoryBytes();
    const big = b.allocate("float32", 8 << 20);
    expect(b.memoryBytes()).toBeGreaterThan(before);
    b.write(big, new Float32Array(8 << 20).fill(5));
    expect(Array.from(b.readSync(first))).toEqual([1, 2, 3, 4]);
    expect(b.readSync(big)[(8 << 20) - 1]).toBe(5);
  });

  it("reports out of memory as a KshotError", async () => {
    const b = await createWasmBackend();
    expect(() => b.allocate("float32", 2 ** 31)).toThrow(KshotError);
    expect(() => b.allocate("float32", 2 ** 31)).toThrow(/out of memory/);
    // Exhaust the 4 GiB address space for real: memory.grow fails, the allocator returns 0.
    const held = [];
    let error: unknown = null;
    try {
      for (let i = 0; i < 8; i++) held.push(b.allocate("float32", 2 ** 28));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KshotError);
    expect(String(error)).toMatch(/out of memory for 268435456 float32/);
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) b.free(h);
    const ok = b.allocate("float32", 2 ** 28);
    b.free(ok);
  });

  it("rejects misuse with KshotErrors", async () => {
    const b = await createWasmBackend();
    const other = await createWasmBackend();
    const x = b.allocate("float32", 4);
    expect(() => b.allocate("float64", 4)).toThrow(KshotError);
    expect(() => b.write(x, new Float32Array(3))).toThrow(/expected 4 elements/);
    expect(() => b.write(x, new Int32Array(4))).toThrow(KshotError);
    expect(() => other.readSync(x)).toThrow(KshotError);
    b.free(x);
    expect(() => b.readSync(x)).toThrow(/freed/);
    b.dispose();
    expect(() => b.allocate("float32", 1)).toThrow(/dispose/);
  });

  it("chooses the relaxed build only when asked and when the engine validates it", async () => {
    const b = await createWasmBackend({ deterministic: false });
    expect(["simd", "relaxed"]).toContain(b.build);
    expect(b.deterministic).toBe(b.build === "simd");
  });
});
