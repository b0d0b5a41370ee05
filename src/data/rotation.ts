/**
 * Rotation by multiples of 90°: an exact pixel permutation (no interpolation). Used for the rot90 class
 * augmentation (Santoro et al. 2016) and for the `vinyals` split, where each character is 4 classes.
 */
import { KshotError } from "../errors.ts";
import { type ClassSource, checkExample, imageSize } from "./dataset.ts";

/**
 * Rotates each channel of a square C×S×S image counter-clockwise by `quarterTurns` × 90° (as numpy.rot90),
 * reading `src[srcOffset..]` and writing `dst[dstOffset..]` (which must not overlap).
 */
export function rotate90(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  channels: number,
  side: number,
  quarterTurns: number,
): void {
  const k = ((quarterTurns % 4) + 4) % 4;
  const last = side - 1;
  const plane = side * side;
  for (let ch = 0; ch < channels; ch++) {
    const s = srcOffset + ch * plane;
    const d = dstOffset + ch * plane;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        let from: number;
        if (k === 0) from = y * side + x;
        else if (k === 1) from = x * side + (last - y);
        else if (k === 2) from = (last - y) * side + (last - x);
        else from = (last - x) * side + y;
        dst[d + y * side + x] = src[s + from]!;
      }
    }
  }
}

/**
 * Every class of `source` as four classes, rotated by 0°, 90°, 180° and 270°: class `4·c + k` is class `c`
 * turned `k` quarter-turns counter-clockwise. Images must be square.
 */
export function rot90Classes(source: ClassSource): ClassSource {
  const [channels, height, width] = source.shape;
  if (height !== width) {
    throw new KshotError(`rot90 classes: expected square images, got ${height}×${width}`);
  }
  if (source.rotated) {
    throw new KshotError("rot90 classes: this source's classes are already rotations; rotating again would repeat them");
  }
  const scratch = new Float32Array(imageSize(source.shape));
  const view: ClassSource = {
    numClasses: source.numClasses * 4,
    shape: source.shape,
    rotated: true,
    exampleCount: (c) => source.exampleCount(Math.floor(c / 4)),
    writeExample(c, e, out, offset) {
      checkExample(view, c, e);
      const k = c % 4;
      if (k === 0) {
        source.writeExample(c / 4, e, out, offset);
        return;
      }
      source.writeExample((c - k) / 4, e, scratch, 0);
      rotate90(scratch, 0, out, offset, channels, width, k);
    },
    className: (c) => `${source.className(Math.floor(c / 4))} rot${(c % 4) * 90}`,
  };
  return view;
}
