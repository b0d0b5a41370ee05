/**
 * The WebAssembly backend (AssemblyScript kernels with 128-bit SIMD). `deterministic: true` (the default)
 * runs the plain-SIMD build, whose results depend only on the inputs; `deterministic: false` runs the
 * relaxed-SIMD build (fused multiply-add) where the engine validates it, else the plain one.
 * `backend.build` says which one runs. `threads` > 1 runs the threaded variant of that build over a shared
 * memory, with worker threads taking parts of the large kernel calls (same results as one thread).
 */
import { KshotError } from "../../errors.ts";
import { CLAIMED, CONTROL_WORDS, MAX_THREADS } from "./control-block.ts";
import { ThreadPool, threadsUnavailable } from "./thread-pool.ts";
import { WasmBackend } from "./wasm-backend.ts";
import { chooseBuild, instantiateKernels } from "./wasm-module.ts";

export { WasmBackend } from "./wasm-backend.ts";
export type { WasmBuild } from "./wasm-module.ts";
export { availableCores, threadsUnavailable } from "./thread-pool.ts";
export { MAX_THREADS } from "./control-block.ts";

export interface WasmBackendOptions {
  /** Default true: plain SIMD and a fixed reduction order. */
  readonly deterministic?: boolean;
  /** Threads for the large kernels, the calling one included (default 1, at most 64). */
  readonly threads?: number;
}

export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new KshotError(`wasm backend: expected threads to be an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const deterministic = options.deterministic ?? true;
  if (threads === 1) {
    const chosen = await chooseBuild(deterministic);
    return new WasmBackend((await instantiateKernels(chosen)).kernels, chosen.build);
  }
  const why = threadsUnavailable();
  if (why) throw new KshotError(`wasm backend: cannot run ${threads} threads here: ${why}`);
  const chosen = await chooseBuild(deterministic, true);
  const { module, kernels } = await instantiateKernels(chosen);
  const control = kernels.alloc(CONTROL_WORDS * 4) >>> 0;
  if (control === 0) throw new KshotError("wasm backend: out of memory for the thread pool's control block");
  new Int32Array(kernels.memory.buffer, control, CONTROL_WORDS).fill(0);
  kernels.setClaimCounters(control + CLAIMED * 4);
  const pool = await ThreadPool.start(module, kernels.memory, control, threads);
  return new WasmBackend(kernels, chosen.build, pool);
}
