/**
 * Starting the backend the user asked for (`--backend auto|webgpu|wasm|reference`, `--threads T`, `--fast`). In
 * Node, WebGPU comes from the optional `webgpu` package (Dawn); without it, or without an adapter, `auto`
 * simply does not consider WebGPU.
 */
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { KshotError } from "../errors.ts";
import { getBackendName, init, type BackendName, type InitOptions } from "../init.ts";

export const BACKENDS: readonly BackendName[] = ["auto", "webgpu", "wasm", "reference"];

let gpu: Promise<GPU | undefined> | undefined;

/** Node's WebGPU entry point, or undefined when the `webgpu` package cannot be loaded. */
export function nodeGPU(env: Readonly<Record<string, string | undefined>>): Promise<GPU | undefined> {
  gpu ??= (async () => {
    // Dawn needs a recent Mesa lavapipe on CPU-only Linux; scripts/ci/install-webgpu-node.sh puts one here.
    const icd = env.KSHOT_MESA_DIR ? `${env.KSHOT_MESA_DIR}/lvp_icd.json` : "/opt/kshot-mesa25/lvp_icd.json";
    if (!process.env.VK_ICD_FILENAMES && existsSync(icd)) process.env.VK_ICD_FILENAMES = icd;
    // Mesa's window-system probing complains on stderr without it; kshot draws no windows.
    process.env.XDG_RUNTIME_DIR ??= tmpdir();
    try {
      const moduleName = "webgpu";
      const { create, globals } = (await import(moduleName)) as { create(flags: string[]): GPU; globals: object };
      Object.assign(globalThis, globals);
      return create([]);
    } catch {
      return undefined;
    }
  })();
  return gpu;
}

/**
 * Whether this machine may have a hardware GPU for WebGPU: on Linux a DRM render node or an NVIDIA or WSL
 * device; elsewhere assumed. Without one, `auto` would only find a software adapter, which it never picks,
 * so it does not start Dawn (which prints warnings on software adapters) just to find that out.
 */
function hardwareGpuPossible(): boolean {
  if (process.platform !== "linux") return true;
  const render = existsSync("/dev/dri") && readdirSync("/dev/dri").some((n) => n.startsWith("renderD"));
  return render || existsSync("/dev/nvidia0") || existsSync("/dev/dxg");
}

export function checkBackendName(name: string): BackendName {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new KshotError(`unknown backend ${JSON.stringify(name)} (expected one of ${BACKENDS.join(", ")})`);
  }
  return name as BackendName;
}

/**
 * The backend running: its name, its threads (1 but for wasm), whether its results depend only on the
 * inputs, and all in words ("wasm, 2 threads, fast").
 */
export interface StartedBackend {
  name: string;
  threads: number;
  deterministic: boolean;
  label: string;
}

/**
 * Starts the backend; says which one runs. `fast`: the wasm backend's fast mode (`deterministic: false`,
 * relaxed-SIMD fused multiply-add where the engine validates it).
 */
export async function startBackend(
  name: string, env: Readonly<Record<string, string | undefined>>, threads?: number, fast = false,
): Promise<StartedBackend> {
  const backend = checkBackendName(name);
  const options: InitOptions = { backend, deterministic: !fast };
  if (backend === "webgpu" || (backend === "auto" && hardwareGpuPossible())) {
    const g = await nodeGPU(env);
    if (g) options.gpu = g;
  }
  // The wasm backend's threads (default: the cores); the other backends ignore it.
  if (threads !== undefined) options.threads = threads;
  const started = await init(options);
  const running = getBackendName();
  const count = (started as { threads?: number }).threads ?? 1;
  const deterministic = (started as { deterministic?: boolean }).deterministic ?? true;
  const label = [running, ...(count > 1 ? [`${count} threads`] : []), ...(deterministic ? [] : ["fast"])].join(", ");
  return { name: running, threads: count, deterministic, label };
}
