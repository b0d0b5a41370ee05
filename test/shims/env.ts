/**
 * Environment variables the same way in every runtime: `process.env` in Node, `Deno.env` in Deno, and in a
 * browser page the query string (test-browser.mjs passes KSHOT_* variables as `?KSHOT_BACKEND=wasm&…`).
 */
interface Host {
  Deno?: { env: { get(name: string): string | undefined } };
  process?: { env: Record<string, string | undefined> };
  location?: { search: string };
}

export function getEnv(name: string): string | undefined {
  const host = globalThis as Host;
  if (host.Deno?.env) return host.Deno.env.get(name);
  if (host.process?.env) return host.process.env[name];
  if (host.location) return new URLSearchParams(host.location.search).get(name) ?? undefined;
  return undefined;
}
