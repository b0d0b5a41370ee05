// Test setup for every runtime: starts the backend named by KSHOT_BACKEND (the environment in Node and
// Deno, the page's query string in a browser); default reference. KSHOT_THREADS sets the wasm backend's
// threads (default 1: the runners already run two files at once).
import * as ks from "../src/index.ts";
import { getEnv } from "./shims/env.ts";

const name = (getEnv("KSHOT_BACKEND") ?? "reference") as ks.BackendName;
let gpu: GPU | undefined;
const g = globalThis as { Deno?: unknown; process?: unknown; document?: unknown };
if (name === "webgpu" && !g.Deno && g.process && !g.document) {
  const { nodeGPU } = await import("./support/webgpu-node.ts");
  gpu = (await nodeGPU()) ?? undefined;
}
const threads = getEnv("KSHOT_THREADS");
await ks.init({ backend: name, gpu, threads: threads === undefined ? 1 : threads === "auto" ? "auto" : Number(threads) });
