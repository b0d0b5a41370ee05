/**
 * Writes Omniglot as the compact pair that `omniglotFromCompact` reads: `omniglot-28.bin` (N × 28 × 28
 * uint8, 255 = paper, images in index order) and the `omniglot-28.json` index (sets → alphabets →
 * characters, each with its first image `offset` and image `count`).
 */
import { KshotError } from "../errors.ts";
import type { Omniglot } from "./omniglot.ts";

interface IndexCharacter {
  name: string;
  id: number;
  count: number;
  offset: number;
}
interface IndexAlphabet {
  name: string;
  offset: number;
  characters: IndexCharacter[];
}
interface IndexSet {
  name: string;
  offset: number;
  alphabets: IndexAlphabet[];
}

export interface CompactOmniglot {
  bin: Uint8Array;
  /** The index as an object; `JSON.stringify` it for `omniglot-28.json`. */
  index: Record<string, unknown>;
}

/** The compact pair of `omniglot`, whose characters must hold contiguous images in index order. */
export function omniglotToCompact(omniglot: Omniglot, extra: Record<string, unknown> = {}): CompactOmniglot {
  const { layout, characters } = omniglot;
  const [channels, height, width] = layout.shape;
  const imageBytes = channels * height * width;
  const sets: IndexSet[] = [];
  let next = 0;
  characters.forEach((ch, i) => {
    const offset = layout.first[i]!;
    const count = layout.count[i]!;
    if (offset !== next) throw new KshotError(`omniglot: expected character ${i} (${ch.alphabet}/${ch.name}) to start at image ${next}, got ${offset}`);
    next += count;
    let set = sets[sets.length - 1];
    if (set?.name !== ch.set) sets.push((set = { name: ch.set, offset, alphabets: [] }));
    let alphabet = set.alphabets[set.alphabets.length - 1];
    if (alphabet?.name !== ch.alphabet) set.alphabets.push((alphabet = { name: ch.alphabet, offset, characters: [] }));
    alphabet.characters.push({ name: ch.name, id: ch.id, count, offset });
  });
  const bin = new Uint8Array(next * imageBytes);
  for (let i = 0; i < bin.length; i++) bin[i] = 255 - layout.bytes[i]!; // ink = 255 → paper = 255
  const index = {
    format: "raw uint8, N x 28 x 28, row-major (C order), no header",
    width,
    height,
    channels,
    dtype: "uint8",
    ink: "dark-on-light",
    image_bytes: imageBytes,
    order: "sets [background, evaluation]; within a set alphabets, characters and images sorted by name",
    sets,
    total_images: next,
    total_characters: characters.length,
    bytes: bin.length,
    ...extra,
  };
  return { bin, index };
}
