/**
 * Class sources backed by 8-bit images (ink = 255 on background = 0), converted to float32 ink = v / 255 as
 * they are copied out: a quarter of the memory of float32, for Omniglot and the rendered glyphs.
 */
import { type ClassSource, type ImageShape, checkExample, imageSize } from "./dataset.ts";

/** float32(v / 255) for every byte value. */
export const BYTE_TO_INK: Float32Array = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Writes `count` bytes from `bytes[start..]` as ink values into `out[offset..]`. */
export function writeInk(bytes: Uint8Array, start: number, count: number, out: Float32Array, offset: number): void {
  for (let i = 0; i < count; i++) out[offset + i] = BYTE_TO_INK[bytes[start + i]!]!;
}

/** Where each class's images lie in one byte buffer: consecutive images from `first[c]`, `count[c]` of them. */
export interface ByteClassLayout {
  bytes: Uint8Array;
  shape: ImageShape;
  first: Int32Array;
  count: Int32Array;
  names: readonly string[];
}

/** A class source over images stored consecutively per class in one byte buffer. */
export function byteClassSource(layout: ByteClassLayout): ClassSource {
  const size = imageSize(layout.shape);
  const source: ClassSource = {
    numClasses: layout.first.length,
    shape: layout.shape,
    rotated: false,
    exampleCount: (c) => layout.count[c] ?? 0,
    writeExample(c, e, out, offset) {
      checkExample(source, c, e);
      writeInk(layout.bytes, (layout.first[c]! + e) * size, size, out, offset);
    },
    className: (c) => layout.names[c] ?? `class ${c}`,
  };
  return source;
}
