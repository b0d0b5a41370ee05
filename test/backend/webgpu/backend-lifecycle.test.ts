import { afterAll, describe, expect, it } from "vitest";
import { createWebGPUBackend, probeWebGPU } from "../../../src/backend/webgpu/index.ts";
import { openWebGPU, platformGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

describe.skipIf(!gpu)("webgpu backend lifecycle", () => {
  it("probes the adapter and names it", async () => {
    const probe = await probeWebGPU(await platformGPU());
    expect(probe.available).toBe(true);
    expect(probe.description.length).toBeGreaterThan(0);
    expect(probe.isSoftware).toBe(gpu!.adapter.isSoftware);
    expect(gpu!.name).toBe("webgpu");
    expect(gpu!.dtypes).toEqual(["float32", "int32"]);
  });

  it("refuses a software adapter unless allowed", async () => {
    if (!gpu!.adapter.isSoftware) return;
    await expect(createWebGPUBackend({ gpu: await platformGPU() })).rejects.toThrow(/software/);
  });

  it("submits every maxDispatchesPerSubmit dispatches, and at a read", async () => {
    const b = await createWebGPUBackend({ gpu: await platformGPU(), allowSoftware: true, maxDispatchesPerSubmit: 4 });
    const x = b.allocate("float32", 8);
    for (let i = 0; i < 10; i++) b.fill(x, i);
    expect(b.counters.dispatches).toBe(10);
    expect(b.counters.submits).toBe(2);
    expect(Array.from(await b.read(x))).toEqual(new Array(8).fill(9));
    expect(b.counters.submits).toBe(3);
    b.dispose();
    expect(() => b.allocate("float32", 1)).toThrow(/disposed/);
  });

  it("turns a lost device into a KshotError on every further call, and says so", async () => {
    const b = await createWebGPUBackend({ gpu: await platformGPU(), allowSoftware: true });
    const x = b.allocate("float32", 4);
    expect(b.lost).toBe(false);
    b.device.destroy();
    await b.device.lost;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(b.lost).toBe(true);
    expect(() => b.fill(x, 1)).toThrow(/device was lost/);
    await expect(b.read(x)).rejects.toThrow(/device was lost/);
    b.dispose();
  });
});
