/** Small random PNGs for the fuzzers. */
import { encode as encodePng } from "fast-png";
import type { Rng } from "../../src/rng.ts";

type Channels = 1 | 2 | 3 | 4;

/** A small random PNG: any colour type and bit depth fast-png writes, sometimes a palette. */
export function randomPng(rng: Rng): Uint8Array {
  const width = 1 + rng.int(12);
  const height = 1 + rng.int(12);
  if (rng.int(5) === 0) {
    const depth = [1, 2, 4, 8][rng.int(4)] as 1 | 2 | 4 | 8;
    const colours = Math.min(2 ** depth, 1 + rng.int(6));
    const rowBytes = Math.ceil((width * depth) / 8);
    const data = Uint8Array.from({ length: rowBytes * height }, () => rng.int(256) & (colours === 2 ** depth ? 255 : 0));
    const palette = Array.from({ length: colours }, () => [rng.int(256), rng.int(256), rng.int(256)] as [number, number, number]);
    return encodePng({ width, height, depth, channels: 1, data, palette });
  }
  const channels = (1 + rng.int(4)) as Channels;
  const depth = channels === 1 ? ([1, 2, 4, 8, 16] as const)[rng.int(5)]! : ([8, 16] as const)[rng.int(2)]!;
  const samples = depth < 8 ? Math.ceil((width * depth) / 8) * height : width * height * channels;
  const data = depth === 16 ? Uint16Array.from({ length: samples }, () => rng.int(65536)) : Uint8Array.from({ length: samples }, () => rng.int(256));
  return encodePng({ width, height, depth, channels, data }, { interlace: rng.int(4) === 0 ? "Adam7" : "null" });
}
