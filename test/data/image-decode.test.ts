import { encode as encodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import { decodeImage, grayPlane } from "../../src/data/image-decode.ts";
import { KshotError } from "../../src/errors.ts";
import { GRAY_128_JPEG, RED_200_JPEG } from "./jpeg-fixtures.ts";
import { grayPng, ihdr, pngChunks, pngFile, withHeader } from "./png-bytes.ts";

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

describe("image limits, checked before decoding", () => {
  const idat = (png: Uint8Array) => pngChunks(png).filter((c) => c.type === "IDAT");
  const iend = { type: "IEND", data: new Uint8Array(0) };

  it("rejects a header claiming more pixels than allowed, whatever the data", () => {
    // 2147483647×1: a 100-byte file that would decode to gigabytes
    expect(() => decodeImage(withHeader(grayPng(2, 2), ihdr(2 ** 31 - 1, 1)), "bomb.png")).toThrow(/bomb.png: the header says 2147483647×1 = 2147483647 pixels; at most 67108864/);
    expect(() => decodeImage(withHeader(grayPng(2, 2), ihdr(12000, 12000)))).toThrow(/144000000 pixels/);
    expect(() => decodeImage(grayPng(4, 4), "small.png", { maxPixels: 15 })).toThrow(/16 pixels; at most 15/);
    expect(decodeImage(grayPng(4, 4), "small.png", { maxPixels: 16 }).width).toBe(4);
    expect(() => decodeImage(grayPng(4, 4), "x.png", { maxBytes: 10 })).toThrow(/x.png: \d+ bytes; at most 10/);
    expect(() => decodeImage(grayPng(4, 4), "x.png", { maxPixels: 0 })).toThrow(/maxPixels to be a positive integer/);
  });

  it("stops image data that inflates to more than its header needs", () => {
    const bomb = pngFile([ihdr(1, 1), ...idat(grayPng(300, 300)), iend]);
    expect(() => decodeImage(bomb, "b.png")).toThrow(/b.png: not a readable PNG \(the image data inflates to more than the 2 bytes/);
    const short = pngFile([ihdr(300, 300), ...idat(grayPng(2, 2)), iend]);
    expect(() => decodeImage(short, "s.png")).toThrow(/inflates to 6 bytes, its header needs 90300/);
  });

  it("checks CRCs, palettes and critical chunks", () => {
    const png = grayPng(3, 3);
    const corrupt = png.slice();
    corrupt[corrupt.length - 20]! ^= 1; // a byte of the IDAT data
    expect(() => decodeImage(corrupt, "c.png")).toThrow(/c.png: not a readable PNG \(chunk IDAT at byte \d+ has a wrong CRC\)/);
    const noPalette = pngFile([ihdr(3, 3, 8, 3), ...idat(png), iend]);
    expect(() => decodeImage(noPalette)).toThrow(/palette image \(colour type 3\) without a PLTE/);
    const unknown = pngFile([ihdr(3, 3), { type: "ABCD", data: new Uint8Array(4) }, ...idat(png), iend]);
    expect(() => decodeImage(unknown)).toThrow(/unknown critical chunk ABCD/);
    const ancillary = pngFile([ihdr(3, 3), { type: "abCD", data: new Uint8Array(4) }, ...idat(png), iend]);
    expect(decodeImage(ancillary).width).toBe(3);
    expect(() => decodeImage(pngFile([ihdr(3, 3, 3, 0), ...idat(png), iend]))).toThrow(/bit depth 3 with colour type 0/);
    expect(() => decodeImage(pngFile([ihdr(3, 3), ...idat(png)]))).toThrow(/no IEND chunk/);
  });

  it("reads a JPEG's frame size before decoding it", () => {
    const huge = GRAY_128_JPEG.slice();
    const sof = huge.findIndex((b, i) => b === 0xff && huge[i + 1] === 0xc0);
    huge.set([0xff, 0xff, 0xff, 0xff], sof + 5); // height and width 65535
    expect(() => decodeImage(huge, "big.jpg")).toThrow(/big.jpg: the header says 65535×65535 = 4294836225 pixels/);
    expect(() => decodeImage(GRAY_128_JPEG.subarray(0, 20), "cut.jpg")).toThrow(/cut.jpg: not a readable JPEG/);
  });
});
