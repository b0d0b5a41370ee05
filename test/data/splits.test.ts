import { describe, expect, it } from "vitest";
import { type ClassSource, datasetSource } from "../../src/data/dataset.ts";
import { selectRange, splitClasses } from "../../src/data/splits.ts";
import { KshotError } from "../../src/errors.ts";

function classes(n: number): ClassSource {
  const labels = Int32Array.from({ length: n }, (_, i) => i);
  return datasetSource({ images: new Float32Array(n), labels, numClasses: n, shape: [1, 1, 1] });
}
const names = (s: ClassSource): string[] => Array.from({ length: s.numClasses }, (_, c) => s.className(c));

describe("class splits", () => {
  it("splits classes at random into disjoint parts covering all of them, reproducibly", () => {
    const split = splitClasses(classes(50), { validation: 0.1, test: 0.2, seed: 4 });
    expect([split.train.numClasses, split.validation.numClasses, split.test.numClasses]).toEqual([35, 5, 10]);
    const all = [...names(split.train), ...names(split.validation), ...names(split.test)];
    expect(new Set(all).size).toBe(50);
    expect(names(splitClasses(classes(50), { seed: 4 }).test)).toEqual(names(split.test));
    expect(names(splitClasses(classes(50), { seed: 5 }).test).join() === names(split.test).join()).toBe(false);
    expect(splitClasses(classes(10), { validation: 0, test: 0.5 }).validation.numClasses).toBe(0);
  });

  it("refuses splits that leave nothing to train on", () => {
    expect(() => splitClasses(classes(2))).toThrow(/none to train/);
    expect(() => splitClasses(classes(10), { validation: 0.5, test: 0.5 })).toThrow(KshotError);
    expect(() => splitClasses(classes(10), { test: -0.1 })).toThrow(KshotError);
  });

  it("selects a range of classes renumbered from 0", () => {
    const part = selectRange(classes(10), 3, 6);
    expect(names(part)).toEqual(["class 3", "class 4", "class 5"]);
  });
});
