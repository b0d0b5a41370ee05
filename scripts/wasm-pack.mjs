// The wasm builds as src/generated/wasm.ts stores them: cut into blocks, the blocks of all builds interleaved
// (block 0 of each, then block 1, ...), gzipped, base64. The builds differ little, and interleaving puts each
// block beside its twins in the other builds, within gzip's 32 KB window: four builds take about as much
// as one. src/backend/wasm/wasm-builds.ts undoes it at load time.
import { gunzipSync, gzipSync } from "node:zlib";

/** Block size: four blocks (one per build) fit in gzip's 32 KB window. */
const BLOCK_SIZE = 8192;

/** Packs `{ target: bytes }` into `{ gzipBase64, blockSize, lengths }`. */
export function packWasm(builds) {
  const targets = Object.keys(builds);
  const longest = Math.max(0, ...targets.map((t) => builds[t].length));
  const blocks = [];
  for (let offset = 0; offset < longest; offset += BLOCK_SIZE) {
    for (const t of targets) blocks.push(builds[t].subarray(offset, offset + BLOCK_SIZE));
  }
  const gzip = gzipSync(Buffer.concat(blocks), { level: 9 });
  return { gzipBase64: gzip.toString("base64"), blockSize: BLOCK_SIZE, lengths: Object.fromEntries(targets.map((t) => [t, builds[t].length])) };
}

/** The builds of a packed record, `{ target: bytes }` (Node's zlib; the runtime uses DecompressionStream). */
export function unpackWasm(packed) {
  const all = packed.gzipBase64 ? gunzipSync(Buffer.from(packed.gzipBase64, "base64")) : new Uint8Array(0);
  const targets = Object.keys(packed.lengths);
  const builds = Object.fromEntries(targets.map((t) => [t, new Uint8Array(packed.lengths[t])]));
  let at = 0;
  for (let offset = 0; at < all.length; offset += packed.blockSize) {
    for (const t of targets) {
      const n = Math.max(0, Math.min(packed.blockSize, packed.lengths[t] - offset));
      if (n > 0) builds[t].set(all.subarray(at, at + n), offset);
      at += n;
    }
  }
  return builds;
}

/** The packed record in the text of src/generated/wasm.ts, or undefined when it holds none. */
export function parseGeneratedWasm(text) {
  const start = text.indexOf("= {");
  const end = text.lastIndexOf("};");
  if (start < 0 || end < start) return undefined;
  try {
    return JSON.parse(text.slice(start + 2, end + 1));
  } catch {
    return undefined;
  }
}

/** Whether two `{ target: bytes }` records hold the same targets with the same bytes. */
export function sameBuilds(a, b) {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((t) => b[t] !== undefined && Buffer.compare(Buffer.from(a[t]), Buffer.from(b[t])) === 0);
}
