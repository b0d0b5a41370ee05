/**
 * WebGPU in Node for tests and benchmarks: the `webgpu` npm package (Dawn) on Mesa 25's lavapipe, which
 * scripts/ci/install-webgpu-node.sh unpacks into a private folder (Dawn refuses Debian 12's stock Mesa).
 * Returns null when the package or an adapter cannot be had; callers decide whether that skips or fails.
 */
import { existsSync } from "node:fs";

/** Where the installer puts the ICD json, first match wins. */
const ICD_CANDIDATES = [
  process.env.KSHOT_MESA_DIR ? `${process.env.KSHOT_MESA_DIR}/lvp_icd.json` : "",
  "/opt/kshot-mesa25/lvp_icd.json",
].filter((p) => p !== "");

let cached: Promise<GPU | null> | undefined;

/** The Mesa 25 lavapipe ICD json when installed, else undefined (Vulkan then uses the system drivers). */
export function mesa25Icd(): string | undefined {
  return ICD_CANDIDATES.find((p) => existsSync(p));
}

/** A `GPU` object from the webgpu package, with the WebGPU globals (GPUBufferUsage, ...) installed. */
export function nodeGPU(): Promise<GPU | null> {
  cached ??= loadNodeGPU();
  return cached;
}

async function loadNodeGPU(): Promise<GPU | null> {
  // The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, i.e. in create() below.
  const icd = mesa25Icd();
  if (icd && !process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = icd;
  try {
    const { create, globals } = await import("webgpu");
    Object.assign(globalThis, globals);
    return create([]);
  } catch (e) {
    console.warn(`webgpu-node: the webgpu package did not load: ${(e as Error).message}`);
    return null;
  }
}
