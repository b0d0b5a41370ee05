import { describe, expect, it } from "vitest";
import { omniglotFromCompact } from "../../src/data/omniglot.ts";
import { omniglotToCompact } from "../../src/data/omniglot-compact.ts";
import { KshotError } from "../../src/errors.ts";

/** An index of `counts` images per character over two sets and three alphabets. */
function index(counts: number[]) {
  let offset = 0;
  const character = (name: string, id: number, count: number) => ({ name, id, count, offset: (offset += count) - count });
  return {
    width: 28,
    height: 28,
    total_images: counts.reduce((a, b) => a + b, 0),
    sets: [
      { name: "background", alphabets: [{ name: "A", characters: [character("character01", 1, counts[0]!), character("character02", 2, counts[1]!)] }] },
      { name: "evaluation", alphabets: [{ name: "B", characters: [character("character01", 7, counts[2]!)] }, { name: "C", characters: [character("character01", 9, counts[3]!)] }] },
    ],
  };
}

describe("omniglot compact pair writer", () => {
  it("writes back the bytes and index it was read from", () => {
    const source = index([2, 3, 1, 2]);
    const bin = Uint8Array.from({ length: 8 * 784 }, (_, i) => (i * 31) % 256);
    const { bin: written, index: parsed } = omniglotToCompact(omniglotFromCompact(bin, source), { note: "kept" });
    expect(written).toEqual(bin);
    expect(parsed).toMatchObject({ width: 28, height: 28, channels: 1, total_images: 8, total_characters: 4, bytes: 8 * 784, note: "kept" });
    const sets = parsed.sets as typeof source.sets;
    expect(sets.map((s) => s.alphabets.map((a) => a.characters))).toEqual(source.sets.map((s) => s.alphabets.map((a) => a.characters)));
    expect(sets.map((s) => (s as unknown as { offset: number }).offset)).toEqual([0, 5]);
    const again = omniglotFromCompact(written, JSON.stringify(parsed));
    expect(again.characters).toEqual(omniglotFromCompact(bin, source).characters);
  });

  it("refuses characters whose images are not in index order", () => {
    const omni = omniglotFromCompact(new Uint8Array(8 * 784), index([2, 3, 1, 2]));
    const shuffled = { ...omni, layout: { ...omni.layout, first: Int32Array.from([0, 5, 2, 6]) } };
    expect(() => omniglotToCompact(shuffled)).toThrow(KshotError);
    expect(() => omniglotToCompact(shuffled)).toThrow(/character 1 \(A\/character02\) to start at image 2, got 5/);
  });
});
