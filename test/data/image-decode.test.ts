import { encode as encodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import { decodeImage, grayPlane } from "../../src/data/image-decode.ts";
import { KshotError } from "../../src/errors.ts";
import { GRAY_128_JPEG, RED_200_JPEG } from "./jpeg-fixtures.ts";

const planes = (bytes: Uint8Array) => decodeImage(bytes).planes.map((p) => Array.from(p));

describe("image decoding", () => {
  it("unpacks 1-, 2- and 4-bit gray PNGs most significant bits first", () => {
    // 3×2 at 1 bit: rows 101, 011 (each row padded to a byte)
    const one = decodeImage(encodePng({ width: 3, height: 2, depth: 1, channels: 1, data: Uint8Array.from([0b10100000, 0b01100000]) }));
    expect(one.maxValue).toBe(1);
    expect(Array.from(one.planes[0]!)).toEqual([1, 0, 1, 0, 1, 1]);
    const two = decodeImage(encodePng({ width: 4, height: 1, depth: 2, channels: 1, data: Uint8Array.from([0b00011011]) }));
    expect(two.maxValue).toBe(3);
    expect(Array.from(two.planes[0]!)).toEqual([0, 1, 2, 3]);
    const four = decodeImage(encodePng({ width: 3, height: 1, depth: 4, channels: 1, data: Uint8Array.from([0xf1, 0x70]) }));
    expect(Array.from(four.planes[0]!)).toEqual([15, 1, 7]);
  });

  it("reads 8- and 16-bit gray, RGB, and composites alpha over white", () => {
    expect(planes(encodePng({ width: 2, height: 1, depth: 16, channels: 1, data: Uint16Array.from([1000, 65535]) }))).toEqual([
      [1000, 65535],
    ]);
    const rgb = encodePng({ width: 2, height: 1, depth: 8, channels: 3, data: Uint8Array.from([10, 20, 30, 40, 50, 60]) });
    expect(planes(rgb)).toEqual([[10, 40], [20, 50], [30, 60]]);
    // gray + alpha: value 0 at alpha 255 stays 0; value 0 at alpha 0 becomes white; 100 at alpha 128 → 178
    const ga = encodePng({ width: 3, height: 1, depth: 8, channels: 2, data: Uint8Array.from([0, 255, 0, 0, 100, 128]) });
    expect(planes(ga)).toEqual([[0, 255, Math.floor((2 * (100 * 128 + 255 * 127) + 255) / 510)]]);
    const rgba = encodePng({ width: 1, height: 1, depth: 8, channels: 4, data: Uint8Array.from([0, 0, 0, 0]) });
    expect(planes(rgba)).toEqual([[255], [255], [255]]);
  });

  it("looks up palettes, to one plane when every colour is gray", () => {
    const palette = [[255, 0, 0], [0, 0, 255], [9, 9, 9]];
    const indexed = encodePng({ width: 3, height: 1, depth: 4, channels: 1, data: Uint8Array.from([0x01, 0x20]), palette });
    expect(planes(indexed)).toEqual([[255, 0, 9], [0, 0, 9], [0, 255, 9]]);
    const grays = encodePng({ width: 2, height: 1, depth: 8, channels: 1, data: Uint8Array.from([1, 0]), palette: [[7, 7, 7], [200, 200, 200]] });
    expect(planes(grays)).toEqual([[200, 7]]);
  });

  it("decodes gray and colour JPEGs", () => {
    const g = decodeImage(GRAY_128_JPEG);
    expect([g.width, g.height, g.maxValue, g.planes.length]).toEqual([16, 16, 255, 1]);
    expect(Math.abs(g.planes[0]![0]! - 128)).toBeLessThan(3);
    const c = decodeImage(RED_200_JPEG);
    expect(c.planes.length).toBe(3);
    expect(Math.abs(c.planes[0]![5]! - 200)).toBeLessThan(6);
    expect(Math.abs(c.planes[1]![5]! - 30)).toBeLessThan(6);
  });

  it("converts RGB to gray with BT.601 weights, exactly for equal channels", () => {
    const image = { width: 3, height: 1, maxValue: 255, planes: [[255, 0, 77], [0, 255, 77], [0, 0, 77]].map((p) => Uint16Array.from(p)) };
    expect(Array.from(grayPlane(image))).toEqual([76, 150, 77]);
  });

  it("names the file and what it found when the bytes are not an image", () => {
    expect(() => decodeImage(Uint8Array.from([1, 2, 3, 4, 5]), "x.png")).toThrow(/x.png: expected a PNG or JPEG file, the first bytes are 01 02 03 04/);
    expect(() => decodeImage(new Uint8Array(0))).toThrow(KshotError);
    const truncated = encodePng({ width: 2, height: 2, depth: 8, channels: 1, data: new Uint8Array(4) }).subarray(0, 30);
    expect(() => decodeImage(truncated, "cut.png")).toThrow(/cut.png: not a readable PNG/);
  });
});
