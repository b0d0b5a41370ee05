// Domain shift views: dilation and blur against hand-computed images, class structure kept, spec parsing.
import { describe, expect, it } from "vitest";
import { imageDataset, datasetSource } from "../../src/data/dataset.ts";
import { describeShift, parseShift, shiftedSource } from "../../src/data/shift.ts";
import { KshotError } from "../../src/errors.ts";

/** One class with one 1×5×5 image: a single ink pixel at the centre. */
function dot() {
  const images = new Float32Array(25);
  images[12] = 1;
  return datasetSource(imageDataset({ images, labels: new Int32Array([0]), numClasses: 1, shape: [1, 5, 5] }));
}

const read = (s: ReturnType<typeof dot>) => {
  const out = new Float32Array(25);
  s.writeExample(0, 0, out, 0);
  return Array.from(out);
};

describe("shiftedSource", () => {
  it("dilate:1 grows a dot to a 3×3 square", () => {
    const want = Array.from({ length: 25 }, (_, i) => (Math.abs(Math.floor(i / 5) - 2) <= 1 && Math.abs((i % 5) - 2) <= 1 ? 1 : 0));
    expect(read(shiftedSource(dot(), { dilate: 1 }))).toEqual(want);
  });

  it("blur spreads a dot as a normalised separable Gaussian, symmetric, ink kept", () => {
    const b = read(shiftedSource(dot(), { blur: 0.5 }));
    const g = [Math.exp(-8), Math.exp(-2), 1, Math.exp(-2), Math.exp(-8)];
    const total = g.reduce((a, v) => a + v, 0);
    expect(b[12]).toBeCloseTo((1 / total) ** 2, 6);
    expect(b[11]).toBeCloseTo(b[13]!, 7);
    expect(b[7]).toBeCloseTo(b[11]!, 7);
    expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
  });

  it("keeps the classes, counts and names; an empty shift changes nothing", () => {
    const s = shiftedSource(dot(), {});
    expect([s.numClasses, s.exampleCount(0), s.className(0), s.shape]).toEqual([1, 1, dot().className(0), [1, 5, 5]]);
    expect(read(s)).toEqual(read(dot()));
  });

  it("parses specs and rejects bad ones", () => {
    expect(parseShift("dilate:1,blur:0.8")).toEqual({ dilate: 1, blur: 0.8 });
    expect(describeShift(parseShift("blur:1"))).toBe("blur σ 1 px");
    expect(describeShift({ dilate: 2 })).toBe("strokes +2 px");
    for (const bad of ["thick", "dilate", "dilate:x", "dilate:1,dilate:2", "blur:1:2"]) expect(() => parseShift(bad)).toThrow(KshotError);
    expect(() => parseShift("dilate:0.5")).toThrow("dilate to be an integer from 0 to 8");
    expect(() => shiftedSource(dot(), { blur: -1 })).toThrow("blur to be a σ from 0 to 8");
  });
});
