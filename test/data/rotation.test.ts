import { describe, expect, it } from "vitest";
import { datasetSource } from "../../src/data/dataset.ts";
import { rot90Classes, rotate90 } from "../../src/data/rotation.ts";
import { KshotError } from "../../src/errors.ts";

/** numpy.rot90 (counter-clockwise) of a square plane, written the obvious way: out = transpose, then flip rows. */
function naiveRot90(plane: number[], side: number): number[] {
  const out = new Array<number>(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[(side - 1 - x) * side + y] = plane[y * side + x]!;
  return out;
}

describe("rotation by 90°", () => {
  it("matches a naive rotation for every quarter-turn, per channel, and composes to the identity", () => {
    const side = 5;
    const src = Float32Array.from({ length: 2 * side * side }, (_, i) => i);
    for (let k = 0; k < 4; k++) {
      const out = new Float32Array(src.length + 3);
      rotate90(src, 0, out, 3, 2, side, k);
      for (let ch = 0; ch < 2; ch++) {
        let expected = Array.from(src.subarray(ch * 25, ch * 25 + 25));
        for (let i = 0; i < k; i++) expected = naiveRot90(expected, side);
        expect(Array.from(out.subarray(3 + ch * 25, 3 + ch * 25 + 25))).toEqual(expected);
      }
    }
    const a = new Float32Array(src.length);
    const b = new Float32Array(src.length);
    rotate90(src, 0, a, 0, 2, side, 1);
    rotate90(a, 0, b, 0, 2, side, 3);
    expect(Array.from(b)).toEqual(Array.from(src));
    rotate90(src, 0, a, 0, 2, side, -1);
    rotate90(src, 0, b, 0, 2, side, 3);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("turns each class into four rotated classes, and needs square images", () => {
    const images = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // two 1×2×2 images of classes 0 and 1
    const source = rot90Classes(datasetSource({ images, labels: Int32Array.from([0, 1]), numClasses: 2, shape: [1, 2, 2] }));
    expect(source.numClasses).toBe(8);
    expect(source.rotated).toBe(true);
    const out = new Float32Array(4);
    source.writeExample(5, 0, out, 0); // class 1 turned once: [[5,6],[7,8]] → [[6,8],[5,7]]
    expect(Array.from(out)).toEqual([6, 8, 5, 7]);
    expect(source.className(5)).toBe("class 1 rot90");
    expect(() => rot90Classes(source)).toThrow(KshotError);
    const wide = datasetSource({ images: new Float32Array(6), labels: Int32Array.from([0]), numClasses: 1, shape: [1, 2, 3] });
    expect(() => rot90Classes(wide)).toThrow(/square/);
  });
});
