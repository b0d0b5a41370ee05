// Fuzzes the PNG and JPEG decoders, decompression bombs included: every input gives sound pixel planes
// within the limits or a KshotError.
import { describe, expect, it } from "vitest";
import { decodeImage } from "../../src/data/image-decode.ts";
import { DEFAULT_IMAGE_LIMITS } from "../../src/data/image-limits.ts";
import { KshotError } from "../../src/errors.ts";
import type { Rng } from "../../src/rng.ts";
import { GRAY_128_JPEG, RED_200_JPEG } from "../data/jpeg-fixtures.ts";
import { ihdr, pngChunks, pngFile } from "../data/png-bytes.ts";
import { fuzz, fuzzCases, mutate } from "./harness.ts";
import { randomPng } from "./random-png.ts";

/** A chunk edited (its CRC fixed, so the edit reaches the decoder), or a header that lies about the data. */
function editChunks(png: Uint8Array, rng: Rng): Uint8Array {
  const chunks = pngChunks(png);
  const i = rng.int(chunks.length);
  switch (rng.int(4)) {
    case 0: // bomb: a huge or odd size over the same data
      chunks[0] = ihdr([1, 2 ** 13, 2 ** 16, 2 ** 31 - 1, 0][rng.int(5)]!, [1, 7, 2 ** 14, 2 ** 31 - 1][rng.int(4)]!, [1, 8, 16][rng.int(3)], [0, 2, 3, 6][rng.int(4)]);
      break;
    case 1:
      chunks[i] = { type: chunks[i]!.type, data: mutate(chunks[i]!.data, rng) };
      break;
    case 2:
      chunks.splice(i, 0, { type: ["PLTE", "IDAT", "IHDR", "tRNS", "ABCD", "zzZz", "IEND"][rng.int(7)]!, data: mutate(new Uint8Array(rng.int(12)), rng) });
      break;
    default:
      chunks.splice(i, 1);
  }
  return pngFile(chunks);
}

function check(bytes: Uint8Array, rng: Rng): void {
  const limits = rng.int(4) === 0 ? { maxPixels: 1 + rng.int(100) } : {};
  const image = decodeImage(bytes, "fuzz", limits);
  const pixels = image.width * image.height;
  expect(pixels).toBeLessThanOrEqual(limits.maxPixels ?? DEFAULT_IMAGE_LIMITS.maxPixels);
  expect([1, 3]).toContain(image.planes.length);
  for (const plane of image.planes) {
    expect(plane.length).toBe(pixels);
    for (const v of plane) if (v > image.maxValue) throw new Error(`a sample ${v} above maxValue ${image.maxValue}`);
  }
}

describe("fuzz: image decoders", () => {
  it("PNG: random images, byte edits, chunk edits with valid CRCs, bombs", async () => {
    const r = await fuzz("png", 1801, fuzzCases(800), KshotError, (rng) => {
      const png = randomPng(rng);
      const kind = rng.int(3);
      check(kind === 0 ? png : kind === 1 ? mutate(png, rng) : editChunks(png, rng), rng);
    });
    expect(r.rejected).toBeGreaterThan(r.cases / 4);
    expect(r.accepted).toBeGreaterThan(r.cases / 4);
  });

  it("JPEG: byte edits of gray and colour files", async () => {
    const r = await fuzz("jpeg", 1802, fuzzCases(400), KshotError, (rng) => check(mutate(rng.int(2) ? GRAY_128_JPEG : RED_200_JPEG, rng), rng));
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.accepted).toBeGreaterThan(0);
  });
});
