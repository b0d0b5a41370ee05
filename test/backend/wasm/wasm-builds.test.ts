import { describe, expect, it } from "vitest";
import { type WasmTarget, wasmBuildBytes } from "../../../src/backend/wasm/wasm-builds.ts";

const TARGETS: WasmTarget[] = ["simd", "relaxed", "simd-threads", "relaxed-threads"];
const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1

describe("the inlined wasm builds", () => {
  it("inflate to four wasm modules, the plain-SIMD ones valid here", async () => {
    for (const target of TARGETS) {
      const bytes = await wasmBuildBytes(target);
      expect(bytes, target).toBeDefined();
      expect(Array.from(bytes!.subarray(0, 8)), target).toEqual(MAGIC);
      expect(bytes!.length, target).toBeGreaterThan(10_000);
    }
    expect(WebAssembly.validate((await wasmBuildBytes("simd"))!)).toBe(true);
    expect(WebAssembly.validate((await wasmBuildBytes("simd-threads"))!)).toBe(true);
  });

  it("are four different builds, each compiled whole (a misplaced block would not compile)", async () => {
    const builds = await Promise.all(TARGETS.map(async (t) => (await wasmBuildBytes(t))!));
    const distinct = new Set(builds.map((b) => `${b.length}:${Array.from(b.subarray(b.length - 64)).join(",")}`));
    expect(distinct.size).toBe(4);
    await expect(WebAssembly.compile(builds[0]!)).resolves.toBeInstanceOf(WebAssembly.Module);
  });
});
