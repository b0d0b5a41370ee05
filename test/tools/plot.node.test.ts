// The benches' PNG line plots (tools/plot/), read back with kshot's own PNG decoder.
import { describe, expect, it } from "vitest";
import { decodeImage } from "../../src/data/image-decode.ts";
// @ts-expect-error: a plain .mjs tool without type declarations
import { encodePng } from "../../tools/plot/png.mjs";
// @ts-expect-error: a plain .mjs tool without type declarations
import { COLOURS, linePlot } from "../../tools/plot/line-plot.mjs";

describe("tools/plot", () => {
  it("encodes RGB pixels as a PNG that decodes to the same pixels", () => {
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const image = decodeImage(new Uint8Array(encodePng(5, 3, rgb)), "plot.png");
    expect([image.width, image.height, image.planes.length, image.maxValue]).toEqual([5, 3, 3, 255]);
    for (let p = 0; p < 15; p++) for (let c = 0; c < 3; c++) expect(image.planes[c][p]).toBe(rgb[p * 3 + c]);
  });

  it("draws each series in its colour on a white canvas", () => {
    const bytes = linePlot([{ label: "a", points: [[0, 10], [100, 0.1]] }, { label: "b", points: [[0, 1], [100, 1]] }], { width: 300, height: 200 });
    const image = decodeImage(new Uint8Array(bytes), "plot.png");
    expect([image.width, image.height]).toEqual([300, 200]);
    const count = (colour: number[]) => {
      let n = 0;
      for (let p = 0; p < 300 * 200; p++) if (colour.every((v, c) => image.planes[c][p] === v)) n++;
      return n;
    };
    expect(count([255, 255, 255])).toBeGreaterThan(300 * 200 * 0.5);
    expect(count(COLOURS[0])).toBeGreaterThan(100);
    expect(count(COLOURS[1])).toBeGreaterThan(100);
  });
});
