/**
 * A JPEG's frame size read from its SOF marker segment (ITU T.81, B.2) and checked against the limits
 * before jpeg-js allocates anything.
 */
import { KshotError } from "../errors.ts";
import { checkImageSize, type ImageLimits } from "./image-limits.ts";

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** Markers without a length: TEM, RST0..7 (SOI and EOI are not expected before the frame). */
const standalone = (marker: number): boolean => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

/** Throws a KshotError naming `name` unless the JPEG's frame header is readable and within the limits. */
export function checkJpeg(bytes: Uint8Array, name: string, limits: Required<ImageLimits>): void {
  const fail = (message: string): never => {
    throw new KshotError(`${name}: not a readable JPEG (${message})`);
  };
  let at = 2; // after SOI
  for (;;) {
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++; // fill bytes
    if (at + 4 > bytes.length) fail("no frame header (SOF) before the end");
    if (bytes[at] !== 0xff) fail(`expected a marker at byte ${at}, found 0x${bytes[at]!.toString(16)}`);
    const marker = bytes[at + 1]!;
    if (standalone(marker)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) fail("no frame header (SOF) before the scan");
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) fail(`a segment of ${length} bytes at byte ${at} runs past the end`);
    if (isStartOfFrame(marker)) {
      if (length < 8) fail(`a frame header of ${length} bytes, expected at least 8`);
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      checkImageSize(name, width, height, limits);
      return;
    }
    at += 2 + length;
  }
}
