/**
 * Limits on what an image file may make kshot allocate, checked from the file's header before any pixel
 * is decoded: a tiny file can claim billions of pixels (a decompression bomb).
 */
import { KshotError } from "../errors.ts";

export interface ImageLimits {
  /** Most pixels (width × height) one image may have; default 2^26 (8192 × 8192). */
  maxPixels?: number;
  /** Most bytes one image file may have; default 2^26 (64 MiB). */
  maxBytes?: number;
}

export const DEFAULT_IMAGE_LIMITS: Required<ImageLimits> = { maxPixels: 2 ** 26, maxBytes: 2 ** 26 };

/** The limits with defaults filled in, each checked to be a positive integer. */
export function imageLimits(limits: ImageLimits = {}): Required<ImageLimits> {
  const full = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  for (const [key, value] of Object.entries(full)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new KshotError(`image limits: expected ${key} to be a positive integer, got ${String(value)}`);
  }
  return full;
}

/** Throws unless a width × height image from `name` is within the limits. */
export function checkImageSize(name: string, width: number, height: number, limits: Required<ImageLimits>): void {
  if (width < 1 || height < 1) throw new KshotError(`${name}: expected an image of at least 1×1 pixels, the header says ${width}×${height}`);
  if (width * height > limits.maxPixels) {
    throw new KshotError(`${name}: the header says ${width}×${height} = ${width * height} pixels; at most ${limits.maxPixels} are allowed (limits.maxPixels)`);
  }
}

export function checkImageBytes(name: string, byteLength: number, limits: Required<ImageLimits>): void {
  if (byteLength > limits.maxBytes) throw new KshotError(`${name}: ${byteLength} bytes; at most ${limits.maxBytes} are allowed for an image (limits.maxBytes)`);
}
