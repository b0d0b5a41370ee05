/**
 * Backend selection. `auto` takes WebGPU only on a hardware adapter (software adapters — llvmpipe,
 * lavapipe, SwiftShader — are slower than wasm, so they run only when named), else wasm. The reference
 * backend is never chosen by `auto`: it is the test oracle, named explicitly.
 */
import type { Backend } from "./backend/backend.ts";
import { ReferenceBackend } from "./backend/reference/reference-backend.ts";
import { availableCores, createWasmBackend, MAX_THREADS, threadsUnavailable, type WasmBackend } from "./backend/wasm/index.ts";
import { chooseBuild } from "./backend/wasm/wasm-module.ts";
import { createWebGPUBackend, probeWebGPU, type WebGPUProbe } from "./backend/webgpu/index.ts";
import { backend, hasBackend, setActiveBackend, configure } from "./engine.ts";
import { KshotError } from "./errors.ts";

export type BackendName = "auto" | "webgpu" | "wasm" | "reference";

export interface InitOptions {
  /** Which backend to use; default "auto". */
  backend?: BackendName;
  /**
   * Bit-identical results across Node, Deno and browsers (default true): the wasm backend runs its
   * plain-SIMD build with a fixed reduction order. false allows relaxed SIMD (FMA) for speed.
   */
  deterministic?: boolean;
  /**
   * Threads for the wasm backend's large kernel calls, the calling one included: a number, or "auto"
   * (the default): every core the runtime reports, at most 8, where threads can run (Node, Deno, a
   * cross-origin isolated page), else 1. Results do not depend on it. Other backends ignore it.
   */
  threads?: number | "auto";
  /** Every op checks its output for NaN/Inf and throws a KshotError naming the op (slow; for debugging). */
  checkNumerics?: boolean;
  /** The WebGPU entry point, where it is not `navigator.gpu` (Node: the `webgpu` package's `create([])`). */
  gpu?: GPU;
  /**
   * What happens when the GPU device is lost: "wasm" switches new work to a new wasm backend (the default
   * for `auto`), "throw" leaves the lost backend active, so every op throws a KshotError saying so (the
   * default for a backend named explicitly). Tensors on the lost device are gone either way.
   */
  onDeviceLost?: "wasm" | "throw";
}

/** A backend that lost its device, and what took over. */
export interface BackendLoss {
  backend: string;
  reason: string;
  /** The backend new work runs on since. */
  switchedTo: string;
}

let loss: BackendLoss | null = null;

/** How `init` starts a backend. */
interface BackendProvider {
  create(options: InitOptions): Promise<Backend>;
  /** For `auto`: whether this backend should be chosen here (WebGPU: a hardware adapter exists). */
  preferredByAuto?(options: InitOptions): Promise<boolean>;
}

const providers = new Map<string, BackendProvider>([
  ["reference", { create: async () => new ReferenceBackend() }],
  ["wasm", { create: createWasm }],
  ["webgpu", {
    create: (o) => createWebGPUBackend({ gpu: o.gpu, allowSoftware: true }),
    preferredByAuto: async (o) => {
      const probe = await probeWebGPU(o.gpu);
      return probe.available && !probe.isSoftware;
    },
  }],
]);

/** Most threads "auto" takes: beyond this the kernels of few-shot models stop getting faster. */
const AUTO_THREADS_LIMIT = 8;

/** The thread count `threads` asks for here ("auto" or absent: the cores, where threads can run). */
async function wasmThreads(threads: number | "auto" | undefined): Promise<number> {
  if (threads === undefined || threads === "auto") {
    return threadsUnavailable() ? 1 : Math.min(await availableCores(), AUTO_THREADS_LIMIT);
  }
  return threads;
}

/**
 * The wasm backend with the threads asked for. Under "auto", workers that fail to start (a runtime with
 * SharedArrayBuffer but no usable Worker) leave one thread rather than no backend; a number asked for
 * is an error when it cannot run.
 */
async function createWasm(o: InitOptions): Promise<Backend> {
  const deterministic = o.deterministic ?? true;
  const threads = await wasmThreads(o.threads);
  if (threads === 1 || typeof o.threads === "number") return createWasmBackend({ deterministic, threads });
  try {
    return await createWasmBackend({ deterministic, threads });
  } catch {
    return createWasmBackend({ deterministic, threads: 1 });
  }
}

async function autoChoice(options: InitOptions): Promise<string> {
  const gpu = providers.get("webgpu");
  if (gpu?.preferredByAuto && (await gpu.preferredByAuto(options).catch(() => false))) return "webgpu";
  if (typeof WebAssembly === "object") return "wasm";
  throw new KshotError("init: no backend available for `auto` (neither a hardware WebGPU adapter nor WebAssembly)");
}

/** Starts a backend and makes it active. Call once before creating tensors; calling again switches backends. */
export async function init(options: InitOptions = {}): Promise<Backend> {
  const requested = options.backend ?? "auto";
  if (!["auto", "webgpu", "wasm", "reference"].includes(requested)) {
    throw new KshotError(`init: unknown backend ${JSON.stringify(requested)} (expected auto, webgpu, wasm or reference)`);
  }
  const threads = options.threads;
  if (threads !== undefined && threads !== "auto" && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new KshotError(`init: expected threads to be "auto" or an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(threads)}`);
  }
  const name = requested === "auto" ? await autoChoice(options) : requested;
  const provider = providers.get(name);
  if (!provider) throw new KshotError(`init: the ${name} backend is not available in this build`);
  configure({ deterministic: options.deterministic ?? true, checkNumerics: options.checkNumerics ?? false });
  const b = await provider.create(options);
  if (hasBackend() && backend() !== b) backend().dispose();
  setActiveBackend(b);
  loss = null;
  if ((options.onDeviceLost ?? (requested === "auto" ? "wasm" : "throw")) === "wasm") fallBackOnLoss(b, options);
  return b;
}

/** When b's device is lost while b is active, makes a wasm backend active for new work. */
function fallBackOnLoss(b: Backend, options: InitOptions): void {
  const whenLost = (b as { whenLost?: Promise<string> }).whenLost;
  if (!whenLost) return;
  const stillActive = () => hasBackend() && backend() === b;
  void whenLost.then(async (reason) => {
    if (!stillActive()) return;
    const wasm = await providers.get("wasm")!.create(options);
    if (!stillActive()) {
      wasm.dispose();
      return;
    }
    setActiveBackend(wasm);
    loss = { backend: b.name, reason, switchedTo: wasm.name };
  });
}

/** The device loss that made the engine switch backends since the last `init`, if any. */
export function backendLoss(): BackendLoss | null {
  return loss;
}

/** The active backend's name. */
export function getBackendName(): string {
  return backend().name;
}

export interface BackendReport {
  /** What `init({ backend: "auto" })` picks here. */
  auto: string;
  /** WebGPU: whether an adapter exists, what it is, and whether it is a software one. */
  webgpu: WebGPUProbe;
  /**
   * The wasm build `deterministic: false` would run ("relaxed" where the engine validates relaxed SIMD);
   * the threads `threads: "auto"` gives, and the active wasm backend's threads (null when wasm is not active);
   * why threads cannot run here, if they cannot.
   */
  wasm: { available: boolean; fastBuild: string; autoThreads: number; threads: number | null; threadsUnavailable: string | null };
  /** Set when a lost GPU device made new work move to another backend. */
  lost: BackendLoss | null;
}

/** What this runtime offers, for `kshot info` and for choosing a backend by hand. Never throws. */
export async function backendReport(options: InitOptions = {}): Promise<BackendReport> {
  const webgpu = await probeWebGPU(options.gpu);
  const available = typeof WebAssembly === "object";
  const fastBuild = available ? (await chooseBuild(false)).build : "none";
  const auto = await autoChoice(options).catch(() => "none");
  const active = hasBackend() && backend().name === "wasm" ? (backend() as WasmBackend).threads : null;
  const wasm = { available, fastBuild, autoThreads: await wasmThreads("auto"), threads: active, threadsUnavailable: threadsUnavailable() ?? null };
  return { auto, webgpu, wasm, lost: loss };
}
