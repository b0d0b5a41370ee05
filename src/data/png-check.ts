/**
 * A PNG's structure checked before it is decoded (PNG spec, section 5 and 11): every chunk's CRC, a valid
 * IHDR within the pixel limit, a PLTE for palette images, no unknown critical chunk, consecutive IDATs,
 * an IEND; then the image data is inflated in small pieces, counting, so data that inflates to more than
 * the header's pixels need (a decompression bomb) is stopped before it is held in memory.
 */
import { Unzlib } from "npm:fflate@0.8.3";
import { KshotError } from "../errors.ts";
import { checkImageSize, type ImageLimits } from "./image-limits.ts";

const SIGNATURE_BYTES = 8;
/** Bit depths allowed per colour type (gray, -, RGB, palette, gray+alpha, -, RGBA) and its channels. */
const COLOUR_TYPES: Record<number, { depths: number[]; channels: number }> = {
  0: { depths: [1, 2, 4, 8, 16], channels: 1 },
  2: { depths: [8, 16], channels: 3 },
  3: { depths: [1, 2, 4, 8], channels: 1 },
  4: { depths: [8, 16], channels: 2 },
  6: { depths: [8, 16], channels: 4 },
};
const KNOWN_CRITICAL = new Set(["IHDR", "PLTE", "IDAT", "IEND"]);
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;
/** Compressed bytes inflated at a time: deflate expands at most ~1032×, so one piece inflates to ≤ 4 MiB. */
const INFLATE_PIECE = 4096;

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlaced: boolean;
}

let crcTable: Uint32Array | undefined;

/** The CRC-32 of PNG chunks (ISO 3309, as zlib computes it). */
export function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function readHeader(data: Uint8Array, fail: (m: string) => never): Header {
  if (data.length !== 13) fail(`IHDR has ${data.length} bytes, expected 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [depth, colourType, compression, filter, interlace] = data.subarray(8, 13);
  const type = COLOUR_TYPES[colourType!];
  if (!type) fail(`IHDR colour type ${colourType}, expected 0, 2, 3, 4 or 6`);
  if (!type.depths.includes(depth!)) fail(`IHDR bit depth ${depth} with colour type ${colourType}, expected one of ${type.depths.join(", ")}`);
  if (compression !== 0 || filter !== 0 || interlace! > 1) fail(`IHDR compression ${compression}, filter ${filter}, interlace ${interlace}; expected 0, 0 and 0 or 1`);
  if (width > 2 ** 31 - 1 || height > 2 ** 31 - 1) fail(`IHDR size ${width}×${height}, expected each side below 2^31`);
  return { width, height, depth: depth!, colourType: colourType!, interlaced: interlace === 1 };
}

/** Bytes the inflated image data must have: per row of each pass, a filter byte and the packed samples. */
function rawSize(h: Header): number {
  const bits = COLOUR_TYPES[h.colourType]!.channels * h.depth;
  const rows = (w: number, rowCount: number): number => (w > 0 && rowCount > 0 ? rowCount * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (!h.interlaced) return rows(h.width, h.height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy)), 0);
}

/** Inflates the concatenated IDAT data piece by piece; throws as soon as it exceeds `expected` bytes. */
function checkInflatedSize(pieces: Uint8Array[], expected: number, fail: (m: string) => never): void {
  let total = 0;
  let ended = false;
  const inflater = new Unzlib((chunk, final) => {
    total += chunk.length;
    if (total > expected) fail(`the image data inflates to more than the ${expected} bytes its header needs (a decompression bomb?)`);
    if (final) ended = true;
  });
  try {
    pieces.forEach((data, p) => {
      for (let at = 0; at < data.length; at += INFLATE_PIECE) {
        inflater.push(data.subarray(at, Math.min(at + INFLATE_PIECE, data.length)), p === pieces.length - 1 && at + INFLATE_PIECE >= data.length);
      }
    });
  } catch (err) {
    if (err instanceof KshotError) throw err;
    fail(`the image data does not inflate (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!ended || total !== expected) fail(`the image data inflates to ${total} bytes, its header needs ${expected}`);
}

/** Throws a KshotError naming `name` unless `bytes` (which start with the PNG signature) are a sound PNG. */
export function checkPng(bytes: Uint8Array, name: string, limits: Required<ImageLimits>): void {
  const fail = (message: string): never => {
    throw new KshotError(`${name}: not a readable PNG (${message})`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette = false;
  let idatDone = false;
  const idat: Uint8Array[] = [];
  for (let at = SIGNATURE_BYTES; ; ) {
    if (at + 12 > bytes.length) fail(at === bytes.length ? "no IEND chunk" : `a chunk header at byte ${at} runs past the end`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`a chunk at byte ${at} has the type bytes ${JSON.stringify(type)}, expected four letters`);
    if (length > 2 ** 31 - 1 || at + 12 + length > bytes.length) fail(`chunk ${type} of ${length} bytes at byte ${at} runs past the end`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) fail(`chunk ${type} at byte ${at} has a wrong CRC`);
    at += 12 + length;
    if (!header && type !== "IHDR") fail(`the first chunk is ${type}, expected IHDR`);
    if (idat.length > 0 && type !== "IDAT") idatDone = true;
    if (type === "IHDR") {
      if (header) fail("a second IHDR chunk");
      header = readHeader(data, fail);
      checkImageSize(name, header.width, header.height, limits);
    } else if (type === "PLTE") {
      if (length === 0 || length % 3 !== 0 || length / 3 > 256) fail(`PLTE of ${length} bytes, expected 3 × 1..256`);
      palette = true;
    } else if (type === "IDAT") {
      if (idatDone) fail("IDAT chunks separated by other chunks");
      if (header!.colourType === 3 && !palette) fail("a palette image (colour type 3) without a PLTE chunk before its data");
      idat.push(data);
    } else if (type === "IEND") {
      break;
    } else if (!KNOWN_CRITICAL.has(type) && type[0]! < "a") {
      fail(`unknown critical chunk ${type}`);
    }
  }
  if (idat.length === 0) fail("no IDAT chunk");
  checkInflatedSize(idat, rawSize(header!), fail);
}
