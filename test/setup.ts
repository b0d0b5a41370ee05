// Test setup for every runtime: starts the backend named by KSHOT_BACKEND (env in Node and Deno, the
// `backend` query parameter in a browser); default reference.
import * as ks from "../src/index.ts";

type Env = { process?: { env: Record<string, string | undefined> }; Deno?: { env: { get(k: string): string | undefined } }; location?: { search: string } };
const g = globalThis as unknown as Env;

function envVar(name: string): string | undefined {
  if (g.Deno) return g.Deno.env.get(name);
  if (g.process?.env) return g.process.env[name];
  if (g.location) return new URLSearchParams(g.location.search).get(name.replace(/^KSHOT_/, "").toLowerCase()) ?? undefined;
  return undefined;
}

const name = (envVar("KSHOT_BACKEND") ?? "reference") as ks.BackendName;
let gpu: GPU | undefined;
if (name === "webgpu" && !g.Deno && g.process && !g.location) {
  const { nodeGPU } = await import("./support/webgpu-node.ts");
  gpu = (await nodeGPU()) ?? undefined;
}
await ks.init({ backend: name, gpu });
