import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { wasmBuildBytes } from "../../../src/backend/wasm/wasm-builds.ts";
import { packWasm, parseGeneratedWasm, unpackWasm } from "../../../scripts/wasm-pack.mjs";

const root = new URL("../../../", import.meta.url);

describe("scripts/wasm-pack.mjs and the loader agree", () => {
  it("the loader inflates what the build packed, byte for byte", async () => {
    const packed = parseGeneratedWasm(readFileSync(new URL("src/generated/wasm.ts", root), "utf8"));
    const builds = unpackWasm(packed) as Record<string, Uint8Array>;
    expect(Object.keys(builds).sort()).toEqual(["relaxed", "relaxed-threads", "simd", "simd-threads"]);
    for (const [target, bytes] of Object.entries(builds)) {
      expect(await wasmBuildBytes(target as "simd")).toEqual(new Uint8Array(bytes));
    }
  });

  it("packs and unpacks builds of any length (shorter than a block, several blocks, empty)", () => {
    const make = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
    const builds = { a: make(5, 1), b: make(20_000, 2), c: make(0, 3), d: make(8192, 4) };
    const back = unpackWasm(packWasm(builds)) as Record<string, Uint8Array>;
    for (const [k, v] of Object.entries(builds)) expect(new Uint8Array(back[k]!)).toEqual(v);
  });
});
