import { describe, expect, it } from "vitest";
import { ReferenceBackend } from "../../../src/backend/reference/reference-backend.ts";
import { createWasmBackend } from "../../../src/backend/wasm/index.ts";
import { wasmBuildBytes } from "../../../src/backend/wasm/wasm-builds.ts";
import { expectClose, randomFloats, rng, upload } from "./parity.ts";

async function relaxedValidates(): Promise<boolean> {
  const bytes = await wasmBuildBytes("relaxed");
  return bytes !== undefined && WebAssembly.validate(bytes);
}

describe("wasm backend, deterministic: false", () => {
  it("runs the relaxed-SIMD build exactly where the engine validates it", async () => {
    const b = await createWasmBackend({ deterministic: false });
    expect(b.build).toBe((await relaxedValidates()) ? "relaxed" : "simd");
  });

  it("matches the reference on matmul and conv2d (fused multiply-add rounds differently, within tolerance)", async () => {
    const b = await createWasmBackend({ deterministic: false });
    const ref = new ReferenceBackend();
    const random = rng(81);
    const m = 37, n = 45, k = 300;
    const a = randomFloats(m * k, random), c = randomFloats(k * n, random);
    const mp = { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    const y = b.allocate("float32", m * n), yr = ref.allocate("float32", m * n);
    b.matmul(upload(b, a), upload(b, c), y, mp);
    ref.matmul(upload(ref, a), upload(ref, c), yr, mp);
    const scale = ref.allocate("float32", m * n);
    ref.matmul(upload(ref, a.map(Math.abs)), upload(ref, c.map(Math.abs)), scale, mp);
    expectClose(b.readSync(y), ref.readSync(yr), 1e-5, ref.readSync(scale), 0, "matmul");

    const p = { batch: 3, inC: 16, inH: 9, inW: 9, outC: 8, outH: 9, outW: 9, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 2 };
    const x = randomFloats(3 * 16 * 81, random), w = randomFloats(8 * 8 * 9, random);
    const out = b.allocate("float32", 3 * 8 * 81), outRef = ref.allocate("float32", 3 * 8 * 81), outScale = ref.allocate("float32", 3 * 8 * 81);
    b.conv2d(upload(b, x), upload(b, w), out, p);
    ref.conv2d(upload(ref, x), upload(ref, w), outRef, p);
    ref.conv2d(upload(ref, x.map(Math.abs)), upload(ref, w.map(Math.abs)), outScale, p);
    expectClose(b.readSync(out), ref.readSync(outRef), 1e-5, ref.readSync(outScale), 0, "conv2d");
  });
});
