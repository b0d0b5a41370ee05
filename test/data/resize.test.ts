import { describe, expect, it } from "vitest";
import { areaResize, areaResizeToBytes, areaSums } from "../../src/data/resize.ts";
import { KshotError } from "../../src/errors.ts";
import { Rng } from "../../src/rng.ts";

/** Area sums by brute force: each input pixel cut into outW×outH cells, each output pixel inW×inH cells. */
function bruteSums(plane: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): number[] {
  const out = new Array<number>(outW * outH).fill(0);
  for (let fy = 0; fy < inH * outH; fy++) {
    for (let fx = 0; fx < inW * outW; fx++) {
      const v = plane[Math.floor(fy / outH) * inW + Math.floor(fx / outW)]!;
      out[Math.floor(fy / inH) * outW + Math.floor(fx / inW)]! += v;
    }
  }
  return out;
}

describe("area resize", () => {
  it("gives exact integer area sums for any ratio (down, up, mixed)", () => {
    const rng = new Rng(4);
    for (const [inW, inH, outW, outH] of [[7, 5, 3, 2], [3, 4, 8, 6], [10, 10, 10, 10], [9, 4, 4, 9], [105, 105, 28, 28]]) {
      const plane = Array.from({ length: inW! * inH! }, () => rng.int(256));
      expect(Array.from(areaSums(plane, inW!, inH!, outW!, outH!))).toEqual(bruteSums(plane, inW!, inH!, outW!, outH!));
    }
  });

  it("rounds half up in integers when resizing to bytes", () => {
    // 2×1 → 1×1 of a 1-bit plane [1, 0]: white fraction 1/2 → 127.5 → 128
    expect(Array.from(areaResizeToBytes([1, 0], 2, 1, 1, 1, 1))).toEqual([128]);
    // 3×1 → 1×1 of [1, 0, 0]: 85 exactly; [1, 1, 0]: 170
    expect(Array.from(areaResizeToBytes([1, 0, 0], 3, 1, 1, 1, 1))).toEqual([85]);
    expect(Array.from(areaResizeToBytes([1, 1, 0], 3, 1, 1, 1, 1))).toEqual([170]);
    // 16-bit values: 65535 ↦ 255, 257 ↦ 1, 128·257 + 128 ↦ 128.498 → 128, 128·257 + 129 ↦ 128.502 → 129
    const sixteen = [65535, 257, 128 * 257 + 128, 128 * 257 + 129];
    expect(Array.from(areaResizeToBytes(sixteen, 4, 1, 4, 1, 65535))).toEqual([255, 1, 128, 129]);
    // a 2×2 block of 2-bit values 3, 3, 3, 0 → 255 × 9/12 = 191.25 → 191; 3, 3, 0, 0 → 127.5 → 128
    expect(Array.from(areaResizeToBytes([3, 3, 3, 0], 2, 2, 1, 1, 3))).toEqual([191]);
    expect(Array.from(areaResizeToBytes([3, 3, 0, 0], 2, 2, 1, 1, 3))).toEqual([128]);
  });

  it("averages floats, keeping constants constant", () => {
    const out = areaResize(new Array(12 * 9).fill(0.25), 12, 9, 5, 4);
    expect(out.every((v) => Math.abs(v - 0.25) < 1e-15)).toBe(true);
  });

  it("rejects sizes that do not fit", () => {
    expect(() => areaSums([1, 2, 3], 2, 2, 1, 1)).toThrow(KshotError);
    expect(() => areaSums([1], 1, 1, 0, 1)).toThrow(/output size/);
  });
});
