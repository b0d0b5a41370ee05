/**
 * The WebAssembly backend (AssemblyScript kernels with 128-bit SIMD). `deterministic: true` (the default)
 * runs the plain-SIMD build, whose results depend only on the inputs; `deterministic: false` runs the
 * relaxed-SIMD build (fused multiply-add) where the engine validates it, else the plain one.
 * `backend.build` says which one runs.
 */
import { WasmBackend } from "./wasm-backend.ts";
import { chooseBuild, instantiateKernels } from "./wasm-module.ts";

export { WasmBackend } from "./wasm-backend.ts";
export type { WasmBuild } from "./wasm-module.ts";

export interface WasmBackendOptions {
  /** Default true: plain SIMD and a fixed reduction order. */
  readonly deterministic?: boolean;
}

export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const { build, bytes } = chooseBuild(options.deterministic ?? true);
  return new WasmBackend(await instantiateKernels(bytes), build);
}
