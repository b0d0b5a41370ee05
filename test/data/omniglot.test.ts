import { encode as encodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import { type Omniglot, loadOmniglot, omniglotFromCompact, omniglotFromFiles } from "../../src/data/omniglot.ts";
import { omniglotSplit } from "../../src/data/splits.ts";
import { tasks } from "../../src/data/tasks.ts";
import { KshotError } from "../../src/errors.ts";
import { fileExists } from "../../src/io/files.ts";
import { hasFileSystem, isCI, sharedPath } from "./environment.ts";

/** A 105×105 1-bit official-style PNG: white paper (1) with a black (0) square of `side` pixels at the corner. */
function officialPng(side: number): Uint8Array {
  const rowBytes = Math.ceil(105 / 8);
  const data = new Uint8Array(rowBytes * 105).fill(0xff);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data[y * rowBytes + (x >> 3)]! &= ~(0x80 >> (x & 7));
  return encodePng({ width: 105, height: 105, depth: 1, channels: 1, data });
}

describe("omniglot from official-layout files in memory", () => {
  it("orders characters like the compact file and turns paper to 0 and ink to 1", () => {
    const files = [
      { path: "images_evaluation/Zzz/character01/0900_01.png", bytes: officialPng(0) },
      { path: "root/images_background/Beta/character02/0012_02.png", bytes: officialPng(105) },
      { path: "images_background/Beta/character02/0012_01.png", bytes: officialPng(15) },
      { path: "images_background/Alpha/character01/0001_01.png", bytes: officialPng(0) },
    ];
    const omni = omniglotFromFiles(files);
    expect(omni.characters.map((c) => `${c.set}:${c.alphabet}/${c.name}#${c.id}`)).toEqual([
      "background:Alpha/character01#1",
      "background:Beta/character02#12",
      "evaluation:Zzz/character01#900",
    ]);
    expect([0, 1, 2].map((c) => omni.source.exampleCount(c))).toEqual([1, 2, 1]);
    const out = new Float32Array(784);
    omni.source.writeExample(0, 0, out, 0);
    expect(out.every((v) => v === 0)).toBe(true);
    omni.source.writeExample(1, 1, out, 0);
    expect(out.every((v) => v === 1)).toBe(true);
    omni.source.writeExample(1, 0, out, 0); // 15×15 ink = exactly 4×4 output pixels (15 = 4 × 3.75)
    expect(out.filter((v) => v === 1).length).toBe(16);
    expect(out.filter((v) => v !== 0 && v !== 1).length).toBe(0);
    expect(omni.source.className(1)).toBe("Beta/character02");
  });

  it("explains paths outside the layout, mixed character numbers and empty input", () => {
    expect(() => omniglotFromFiles([{ path: "Greek/character01/0001_01.png", bytes: officialPng(0) }])).toThrow(/images_background/);
    const mixed = [
      { path: "images_background/A/character01/0001_01.png", bytes: officialPng(0) },
      { path: "images_background/A/character01/0002_02.png", bytes: officialPng(0) },
    ];
    expect(() => omniglotFromFiles(mixed)).toThrow(/character number 2/);
    expect(() => omniglotFromFiles([])).toThrow(KshotError);
  });

  it("validates the compact pair", () => {
    const index = {
      width: 28,
      height: 28,
      total_images: 2,
      sets: [{ name: "background", alphabets: [{ name: "A", characters: [{ name: "character01", id: 1, offset: 0, count: 2 }] }] }],
    };
    const omni = omniglotFromCompact(new Uint8Array(2 * 784).fill(255), JSON.stringify(index));
    expect(omni.characters.length).toBe(1);
    expect(() => omniglotFromCompact(new Uint8Array(100), index)).toThrow(/expected 2 images × 784 bytes/);
    const outside = structuredClone(index);
    outside.sets[0]!.alphabets[0]!.characters[0]!.count = 3;
    expect(() => omniglotFromCompact(new Uint8Array(2 * 784), outside)).toThrow(/outside/);
    expect(() => omniglotFromCompact(new Uint8Array(2 * 784), { ...index, width: 32 })).toThrow(/28×28/);
    expect(() => omniglotFromCompact(new Uint8Array(0), "[]")).toThrow(KshotError);
  });

  it("rejects an index whose characters share images, and malformed JSON, with a KshotError", () => {
    const character = (name: string, offset: number) => ({ name, id: 1, offset, count: 2 });
    const index = (characters: object[]) => ({
      width: 28, height: 28, total_images: 4,
      sets: [{ name: "background", alphabets: [{ name: "A", characters }] }],
    });
    const bin = new Uint8Array(4 * 784);
    expect(omniglotFromCompact(bin, index([character("c1", 0), character("c2", 2)])).characters.length).toBe(2);
    expect(() => omniglotFromCompact(bin, index([character("c1", 0), character("c2", 0)]))).toThrow(/A\/c1 \(images 0..1\) and A\/c2 \(from 0\) share images/);
    expect(() => omniglotFromCompact(bin, index([character("c1", 0), character("c2", 1)]))).toThrow(/share images/);
    const malformed: [unknown, RegExp][] = [
      ["{\"sets\": [", /invalid JSON/],
      ["null", /expected the index \(omniglot-28.json\) to be an object, got null/],
      [{ ...index([]), sets: {} }, /expected sets to be an array/],
      [{ ...index([]), sets: [null] }, /expected sets\[0\] to be an object/],
      [{ ...index([]), sets: [{ name: "background", alphabets: [{ name: 7, characters: [] }] }] }, /background.alphabets\[0\].name to be a string, got 7/],
      [index([{ name: "c1", id: 1, offset: "0", count: 2 }]), /A\/c1 offset to be an integer ≥ 0, got "0"/],
      [index([{ name: "c1", id: 1, offset: 0, count: 0 }]), /count to be an integer ≥ 1/],
      [{ ...index([]), total_images: 1e300 }, /total_images to be an integer/],
    ];
    for (const [bad, message] of malformed) expect(() => omniglotFromCompact(bin, bad)).toThrow(message);
    for (const [bad] of malformed) expect(() => omniglotFromCompact(bin, bad)).toThrow(KshotError);
  });
});

describe("omniglot from ../shared/data/omniglot", () => {
  const root = sharedPath("data/omniglot");
  let compact: Promise<Omniglot> | undefined;
  const loadCompact = (): Promise<Omniglot> => (compact ??= loadOmniglot(root));

  async function available(what: string): Promise<boolean> {
    const found = hasFileSystem && (await fileExists(`${root}/${what}`));
    if (!found && isCI && hasFileSystem) throw new KshotError(`omniglot test data missing under CI: ${root}/${what}`);
    if (!found) console.warn(`skipping: ${root}/${what} is not available here (\`kshot data omniglot --to ${root}\` downloads the compact pair)`);
    return found;
  }

  it("reads the compact pair: 1623 characters of 20 drawings, ink = 1 on background = 0", async () => {
    if (!(await available("omniglot-28.bin"))) return;
    const omni = await loadCompact();
    expect(omni.characters.length).toBe(1623);
    expect(omni.characters.filter((c) => c.set === "background").length).toBe(964);
    expect(omni.characters[0]).toEqual({ set: "background", alphabet: "Alphabet_of_the_Magi", name: "character01", id: 709 });
    expect(omni.characters.every((_, c) => omni.source.exampleCount(c) === 20)).toBe(true);
    const image = new Float32Array(784);
    omni.source.writeExample(100, 3, image, 0);
    const ink = image.filter((v) => v > 0.5).length;
    expect(ink).toBeGreaterThan(10); // a drawing: some ink ...
    expect(ink).toBeLessThan(300); // ... on mostly empty paper
    expect(image[0]).toBe(0);
  });

  it("reads the official-layout sample to exactly the matching images of the compact file", async () => {
    if (!(await available("original-sample/images_background")) || !(await available("omniglot-28.bin"))) return;
    const [full, sample] = await Promise.all([loadCompact(), loadOmniglot(`${root}/original-sample`)]);
    expect(sample.characters.length).toBe(50);
    const index = new Map(full.characters.map((c, i) => [`${c.set}/${c.alphabet}/${c.name}`, i]));
    const size = 784;
    let compared = 0;
    let different = 0;
    sample.characters.forEach((ch, i) => {
      const j = index.get(`${ch.set}/${ch.alphabet}/${ch.name}`);
      expect(j === undefined ? "missing" : full.characters[j]!.id).toBe(ch.id);
      expect(sample.layout.count[i]).toBe(20);
      for (let e = 0; e < 20; e++) {
        const a = (sample.layout.first[i]! + e) * size;
        const b = (full.layout.first[j!]! + e) * size;
        for (let p = 0; p < size; p++, compared++) if (sample.layout.bytes[a + p] !== full.layout.bytes[b + p]) different++;
      }
    });
    expect(compared).toBe(1000 * 784);
    expect(different).toBe(0);
    expect(() => omniglotSplit(sample, "vinyals")).toThrow(/1623 characters/);
  });

  it("splits lake and vinyals as documented, without shared characters", async () => {
    if (!(await available("omniglot-28.bin"))) return;
    const omni = await loadCompact();
    const lake = omniglotSplit(omni, "lake");
    expect([lake.train.numClasses, lake.validation.numClasses, lake.test.numClasses]).toEqual([934, 30, 659]);
    expect(lake.defaultAugment).toBe("rot90");
    expect(lake.validation.className(0)).toBe("Alphabet_of_the_Magi/character20");
    const names = (s: typeof lake.train) => Array.from({ length: s.numClasses }, (_, c) => s.className(c));
    expect(new Set([...names(lake.train), ...names(lake.validation), ...names(lake.test)]).size).toBe(1623);
    const evaluation = new Set(omni.characters.filter((c) => c.set === "evaluation").map((c) => `${c.alphabet}/${c.name}`));
    expect(names(lake.test).every((n) => evaluation.has(n))).toBe(true);

    const vinyals = omniglotSplit(omni, "vinyals");
    expect([vinyals.train.numClasses, vinyals.validation.numClasses, vinyals.test.numClasses]).toEqual([4112, 688, 1692]);
    expect(vinyals.train.rotated).toBe(true);
    expect(vinyals.test.className(0)).toBe(`${omni.characters[1200]!.alphabet}/${omni.characters[1200]!.name} rot0`);
    expect(() => tasks(vinyals.train, { ways: 5, shots: 1, queries: 1, augment: "rot90" })).toThrow(/rotate twice/);
    const episode = tasks(lake.train, { ways: 20, shots: 1, queries: 5, augment: "rot90", seed: 1 }).next();
    expect(episode.support.length).toBe(20 * 784);
    expect(() => omniglotSplit(omni, "random" as "lake")).toThrow(/lake, vinyals/);
  });
});
