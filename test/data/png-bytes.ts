/** PNG files built chunk by chunk, for tests of broken and hostile PNGs. */
import { encode as encodePng } from "fast-png";
import { crc32 } from "../../src/data/png-check.ts";

export interface Chunk {
  type: string;
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The chunks of a PNG file (no CRC check: tests use it on files they just made). */
export function pngChunks(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    chunks.push({ type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)), data: bytes.slice(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

/** A PNG file of these chunks, each with its correct CRC. */
export function pngFile(chunks: readonly Chunk[]): Uint8Array {
  const parts = chunks.map(({ type, data }) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Array.from(type, (c) => c.charCodeAt(0)), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  });
  const file = new Uint8Array(8 + parts.reduce((n, p) => n + p.length, 0));
  file.set(SIGNATURE);
  let at = 8;
  for (const p of parts) {
    file.set(p, at);
    at += p.length;
  }
  return file;
}

/** An IHDR chunk: width, height, bit depth, colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA). */
export function ihdr(width: number, height: number, depth = 8, colourType = 0): Chunk {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([depth, colourType, 0, 0, 0], 8);
  return { type: "IHDR", data };
}

/** A w×h 8-bit gray PNG of zeros. */
export function grayPng(width: number, height: number): Uint8Array {
  return encodePng({ width, height, depth: 8, channels: 1, data: new Uint8Array(width * height) });
}

/** `png` with its IHDR replaced (the image data kept): a header that lies about the data. */
export function withHeader(png: Uint8Array, header: Chunk): Uint8Array {
  return pngFile(pngChunks(png).map((c) => (c.type === "IHDR" ? header : c)));
}
