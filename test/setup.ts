// Test setup for every runtime: starts the backend named by KSHOT_BACKEND (the environment in Node and
// Deno, the page's query string in a browser); default reference.
import * as ks from "../src/index.ts";
import { getEnv } from "./shims/env.ts";

const name = (getEnv("KSHOT_BACKEND") ?? "reference") as ks.BackendName;
let gpu: GPU | undefined;
const g = globalThis as { Deno?: unknown; process?: unknown; document?: unknown };
if (name === "webgpu" && !g.Deno && g.process && !g.document) {
  const { nodeGPU } = await import("./support/webgpu-node.ts");
  gpu = (await nodeGPU()) ?? undefined;
}
await ks.init({ backend: name, gpu });
