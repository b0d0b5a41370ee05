/**
 * The wasm builds inlined by the build (src/generated/wasm.ts, packed by scripts/wasm-pack.mjs): gunzipped
 * with DecompressionStream (Node ≥ 18, Deno, browsers) on first use, the interleaved blocks put back in order.
 */
import { WASM_BUILDS } from "../../generated/wasm.ts";
import { KshotError } from "../../errors.ts";

/** The four builds: plain or relaxed SIMD, each with its own memory or over an imported shared memory. */
export type WasmTarget = "simd" | "relaxed" | "simd-threads" | "relaxed-threads";

let unpacked: Promise<Map<string, Uint8Array<ArrayBuffer>>> | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof DecompressionStream !== "function") {
    throw new KshotError("wasm backend: this runtime has no DecompressionStream (expected Node ≥ 18, Deno or a current browser)");
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function unpack(): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const { gzipBase64, blockSize, lengths } = WASM_BUILDS;
  const all = await gunzip(decodeBase64(gzipBase64));
  const targets = Object.keys(lengths);
  const builds = new Map(targets.map((t) => [t, new Uint8Array(lengths[t]!)]));
  let at = 0;
  for (let offset = 0; at < all.length; offset += blockSize) {
    for (const t of targets) {
      const n = Math.max(0, Math.min(blockSize, lengths[t]! - offset));
      if (n > 0) builds.get(t)!.set(all.subarray(at, at + n), offset);
      at += n;
    }
  }
  return builds;
}

/** The bytes of one build, or undefined when the kernels were not built. */
export async function wasmBuildBytes(target: WasmTarget): Promise<Uint8Array<ArrayBuffer> | undefined> {
  unpacked ??= unpack();
  return (await unpacked).get(target);
}
