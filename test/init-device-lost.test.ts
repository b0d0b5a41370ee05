// A lost GPU device, for real (device.destroy(), no mock): with onDeviceLost "wasm" (the default of
// `auto`) new work moves to a new wasm backend and backendReport says why; tensors on the lost device
// throw a KshotError that says the device was lost and what to do. With "throw" the lost backend stays.
import { describe, expect, it } from "vitest";
import * as ks from "../src/index.ts";
import { platformGPU } from "./backend/webgpu/webgpu-harness.ts";

const gpu = await platformGPU();
const adapter = gpu ? await gpu.requestAdapter() : null;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function loseDevice(b: ks.Backend): Promise<unknown> {
  const device = (b as unknown as { device: GPUDevice }).device;
  device.destroy();
  return device.lost;
}

describe.skipIf(!adapter)("device loss", () => {
  it("moves new work to wasm, reports the switch, and names the loss on old tensors", async () => {
    const b = await ks.init({ backend: "webgpu", gpu, onDeviceLost: "wasm" });
    const old = ks.tensor([1, 2, 3]);
    expect(ks.getBackendName()).toBe("webgpu");
    expect((await ks.backendReport({ gpu })).lost).toBeNull();

    await loseDevice(b);
    await until(() => ks.getBackendName() === "wasm", "the switch to wasm");
    const { lost } = await ks.backendReport({ gpu });
    expect(lost).toMatchObject({ backend: "webgpu", switchedTo: "wasm" });
    expect(lost!.reason).toMatch(/destroyed/);

    const fresh = ks.add(ks.tensor([1, 2]), 1);
    expect(Array.from(await fresh.data())).toEqual([2, 3]);
    await expect(old.data()).rejects.toThrow(/device was lost.*Recreate them/);
    expect(() => ks.add(old, 1)).toThrow(ks.KshotError);
    fresh.dispose();
  });

  it("keeps the lost backend when told to throw: every op says the device was lost", async () => {
    const b = await ks.init({ backend: "webgpu", gpu, onDeviceLost: "throw" });
    await loseDevice(b);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ks.getBackendName()).toBe("webgpu");
    expect(() => ks.tensor([1])).toThrow(/device was lost/);
    expect((await ks.backendReport({ gpu })).lost).toBeNull();
  });

  it("a backend named without onDeviceLost throws rather than switching", async () => {
    const b = await ks.init({ backend: "webgpu", gpu });
    await loseDevice(b);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ks.getBackendName()).toBe("webgpu");
    await ks.init({ backend: "reference" });
  });
});
