/**
 * PNG and JPEG bytes to integer pixel planes, through maintained decoders that run in every runtime
 * (fast-png, jpeg-js). PNG: every bit depth (1-, 2- and 4-bit samples unpacked), gray, RGB, palette;
 * alpha is composited over white (the paper of dark-on-light drawings). JPEG: gray or RGB (CMYK is
 * converted to RGB by jpeg-js).
 */
// npm: specifiers so that Deno resolves them wherever src/ is imported from (tsconfig.json maps them for
// tsc and esbuild, vitest.config.ts for vitest; a test checks the versions against package.json).
import { decode as decodePng, type DecodedPng } from "npm:fast-png@8.0.0";
import jpeg from "npm:jpeg-js@0.4.4";
import { KshotError } from "../errors.ts";
import { checkImageBytes, type ImageLimits, imageLimits } from "./image-limits.ts";
import { checkJpeg } from "./jpeg-check.ts";
import { checkPng } from "./png-check.ts";

export type { ImageLimits } from "./image-limits.ts";

/** Channel planes of integers in [0, maxValue], row-major. */
export interface PixelPlanes {
  width: number;
  height: number;
  /** 1 plane (gray) or 3 (red, green, blue). */
  planes: Uint16Array[];
  /** The value of full intensity: 2^depth − 1 (1 for 1-bit PNGs, 255 for 8-bit, 65535 for 16-bit). */
  maxValue: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/**
 * Decodes PNG or JPEG bytes (recognised by their signature); `name` is for error messages. The file's size
 * and the pixels its header claims are checked against `limits` before anything is decoded.
 */
export function decodeImage(bytes: Uint8Array, name = "image", limits: ImageLimits = {}): PixelPlanes {
  const full = imageLimits(limits);
  checkImageBytes(name, bytes.length, full);
  if (startsWith(bytes, PNG_SIGNATURE)) {
    checkPng(bytes, name, full);
    return pngPlanes(bytes, name);
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    checkJpeg(bytes, name, full);
    return jpegPlanes(bytes, name, full.maxPixels);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new KshotError(`${name}: expected a PNG or JPEG file, the first bytes are ${head || "(empty file)"}`);
}

/** Reads sample `index` of a row of packed samples (depth < 8: most significant bits first). */
function packedSample(data: ArrayLike<number>, rowStart: number, index: number, depth: number): number {
  if (depth >= 8) return data[rowStart + index]!;
  const bit = index * depth;
  const byte = data[rowStart + (bit >> 3)]!;
  return (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** v·a + M·(M − a) over M, rounded half up: a value of alpha `a` composited over white. */
function overWhite(v: number, a: number, max: number): number {
  return Math.floor((2 * (v * a + max * (max - a)) + max) / (2 * max));
}

function pngPlanes(bytes: Uint8Array, name: string): PixelPlanes {
  let png: DecodedPng;
  try {
    png = decodePng(bytes);
  } catch (err) {
    throw new KshotError(`${name}: not a readable PNG (${err instanceof Error ? err.message : String(err)})`);
  }
  return decodedPngPlanes(png, name);
}

/**
 * The samples of a PNG as fast-png decodes them (rows of packed 1-, 2-, 4-bit samples or whole ones): the
 * fields read here, declared rather than picked from fast-png's types so that kshot's public
 * declarations need no fast-png.
 */
export interface DecodedPngLike {
  width: number;
  height: number;
  depth: 1 | 2 | 4 | 8 | 16;
  channels: number;
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  palette?: number[][];
  transparency?: Uint16Array;
}

/** Planes of a PNG decoded by fast-png: samples unpacked, palettes looked up, alpha composited over white. */
export function decodedPngPlanes(png: DecodedPngLike, name: string): PixelPlanes {
  const { width, height, depth, channels, data } = png;
  if (png.palette) return palettePlanes(png, name);
  const rowSamples = width * channels;
  const rowStride = depth < 8 ? Math.ceil((rowSamples * depth) / 8) : rowSamples;
  const maxValue = 2 ** depth - 1;
  const colourPlanes = channels >= 3 ? 3 : 1;
  const alphaChannel = channels === 2 || channels === 4 ? channels - 1 : -1;
  const planes = Array.from({ length: colourPlanes }, () => new Uint16Array(width * height));
  for (let y = 0; y < height; y++) {
    const rowStart = y * rowStride;
    for (let ch = 0; ch < colourPlanes; ch++) {
      const plane = planes[ch]!;
      for (let x = 0; x < width; x++) {
        const v = packedSample(data, rowStart, x * channels + ch, depth);
        plane[y * width + x] =
          alphaChannel < 0 ? v : overWhite(v, packedSample(data, rowStart, x * channels + alphaChannel, depth), maxValue);
      }
    }
  }
  return { width, height, planes, maxValue };
}

function palettePlanes(png: DecodedPngLike, name: string): PixelPlanes {
  const { width, height, depth, data } = png;
  const palette = png.palette!;
  const alphas = png.transparency;
  const colours = palette.map((entry, i) => {
    const alpha = alphas?.[i] ?? 255;
    return [0, 1, 2].map((ch) => overWhite(entry[ch] ?? 0, alpha, 255));
  });
  const gray = colours.every(([r, g, b]) => r === g && g === b);
  const planes = Array.from({ length: gray ? 1 : 3 }, () => new Uint16Array(width * height));
  const rowStride = Math.ceil((width * depth) / 8);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = packedSample(data, y * rowStride, x, depth);
      const colour = colours[index];
      if (!colour) throw new KshotError(`${name}: palette index ${index} outside the ${colours.length}-colour palette`);
      planes.forEach((plane, ch) => (plane[y * width + x] = colour[ch]!));
    }
  }
  return { width, height, planes, maxValue: 255 };
}

function jpegPlanes(bytes: Uint8Array, name: string, maxPixels: number): PixelPlanes {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    // jpeg-js's own limits as a second guard (a later frame header could claim more than the first).
    image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: Math.ceil((maxPixels * 16) / 2 ** 20) });
  } catch (err) {
    throw new KshotError(`${name}: not a readable JPEG (${err instanceof Error ? err.message : String(err)})`);
  }
  const { width, height, data } = image;
  let gray = true; // gray JPEGs decode with equal channels
  for (let i = 0; i < data.length && gray; i += 3) gray = data[i] === data[i + 1] && data[i] === data[i + 2];
  const planes = Array.from({ length: gray ? 1 : 3 }, () => new Uint16Array(width * height));
  planes.forEach((plane, ch) => {
    for (let p = 0; p < width * height; p++) plane[p] = data[p * 3 + ch]!;
  });
  return { width, height, planes, maxValue: 255 };
}

/**
 * One gray plane: the plane itself for gray images, else ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B)
 * rounded half up in integers, so equal channels give back the same value.
 */
export function grayPlane(image: PixelPlanes): Uint16Array {
  const [r, g, b] = image.planes;
  if (!g || !b) return r!;
  const out = new Uint16Array(r!.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor((299 * r![i]! + 587 * g[i]! + 114 * b[i]! + 500) / 1000);
  return out;
}
