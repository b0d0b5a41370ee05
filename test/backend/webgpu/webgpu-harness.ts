/**
 * The WebGPU backend under test, in any runtime: Node through the `webgpu` package (test/support/
 * webgpu-node.ts), Deno and browsers through navigator.gpu; software adapters allowed. Without an
 * adapter the suites skip with a message, except under CI (CI set), where that is a failure.
 */
import { createWebGPUBackend, type WebGPUBackend } from "../../../src/backend/webgpu/index.ts";
import { getEnv } from "../../shims/env.ts";

interface Host {
  Deno?: unknown;
  process?: { versions?: { node?: string } };
}

/** The GPU object of this runtime (navigator.gpu, or the webgpu package's in Node), if any. */
export async function platformGPU(): Promise<GPU | undefined> {
  const host = globalThis as Host;
  if (!host.Deno && host.process?.versions?.node) {
    const { nodeGPU } = await import("../../support/webgpu-node.ts");
    return (await nodeGPU()) ?? undefined;
  }
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

/** Opens a new backend, or returns null (having said why) when WebGPU cannot be had outside CI. */
export async function openWebGPU(): Promise<WebGPUBackend | null> {
  let reason: string;
  try {
    const gpu = await platformGPU();
    if (gpu) return await createWebGPUBackend({ gpu, allowSoftware: true });
    reason = "no WebGPU in this runtime";
  } catch (e) {
    reason = (e as Error).message;
  }
  if (getEnv("CI")) throw new Error(`WebGPU tests need an adapter under CI: ${reason}`);
  console.warn(`SKIPPING WebGPU backend tests: ${reason} (run scripts/ci/install-webgpu-node.sh for Node)`);
  return null;
}
