import { describe, expect, it } from "vitest";
import {
  classIndex,
  datasetSource,
  imageDataset,
  materialize,
  selectClasses,
  type ImageDataset,
} from "../../src/data/dataset.ts";
import { KshotError } from "../../src/errors.ts";

/** 3 classes with 2, 3 and 1 examples of 1×2×2 images; pixel 0 = class, pixel 1 = example number. */
function tiny(): ImageDataset {
  const labels = Int32Array.from([1, 0, 1, 2, 1, 0]);
  const images = new Float32Array(labels.length * 4);
  labels.forEach((label, n) => {
    images[n * 4] = label;
    images[n * 4 + 1] = n;
  });
  return { images, labels, numClasses: 3, shape: [1, 2, 2], classNames: ["a", "b", "c"] };
}

describe("dataset", () => {
  it("validates sizes, labels and class names", () => {
    expect(imageDataset(tiny()).numClasses).toBe(3);
    const bad = tiny();
    expect(() => imageDataset({ ...bad, images: new Float32Array(5) })).toThrow(KshotError);
    expect(() => imageDataset({ ...bad, labels: Int32Array.from([0, 1, 2, 3, 0, 0]) })).toThrow(/label of image 3 is 3/);
    expect(() => imageDataset({ ...bad, classNames: ["a"] })).toThrow(KshotError);
    expect(() => imageDataset({ ...bad, shape: [1, 0, 4] })).toThrow(/shape/);
  });

  it("indexes examples by class in dataset order", () => {
    const index = classIndex(Int32Array.from([1, 0, 1, 2, 1, 0]), 4);
    expect(index.map((a) => Array.from(a))).toEqual([[1, 5], [0, 2, 4], [3], []]);
  });

  it("gives class-indexed access without copying, and checks indices", () => {
    const source = datasetSource(tiny());
    expect(source.numClasses).toBe(3);
    expect([0, 1, 2].map((c) => source.exampleCount(c))).toEqual([2, 3, 1]);
    const out = new Float32Array(6);
    source.writeExample(1, 2, out, 2);
    expect(Array.from(out)).toEqual([0, 0, 1, 4, 0, 0]);
    expect(source.className(2)).toBe("c");
    expect(() => source.writeExample(0, 2, out, 0)).toThrow(/example index of class 0/);
    expect(() => source.writeExample(3, 0, out, 0)).toThrow(/class index/);
  });

  it("selects classes and materialises them relabelled", () => {
    const view = selectClasses(datasetSource(tiny()), [2, 0]);
    expect(view.numClasses).toBe(2);
    expect(view.className(0)).toBe("c");
    const ds = materialize(view);
    expect(Array.from(ds.labels)).toEqual([0, 1, 1]);
    expect(Array.from(ds.images.filter((_, i) => i % 4 === 1))).toEqual([3, 1, 5]);
    expect(ds.classNames).toEqual(["c", "a"]);
    expect(() => selectClasses(view, [2])).toThrow(KshotError);
  });
});
