// The engine a benchmark runs in, with its version ("node 24.22.3", "deno 2.9.6", "chromium 150.0…"),
// for the JSON lines; browser-safe (no node: imports).
export function runtimeVersion() {
  if (globalThis.Deno?.version) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.process?.versions?.node) return `node ${globalThis.process.versions.node}`;
  const chrome = globalThis.navigator?.userAgent?.match(/Chrome\/([\d.]+)/);
  return chrome ? `chromium ${chrome[1]}` : (globalThis.navigator?.userAgent ?? "unknown");
}
