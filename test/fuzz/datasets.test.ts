// Fuzzes the dataset loaders: the Omniglot index (compact pair), Omniglot official-layout files and the
// image-folder builder. Every input gives a sound dataset or a KshotError.
import { describe, expect, it } from "vitest";
import { imageFolderFromImages } from "../../src/data/imagefolder.ts";
import { omniglotFromCompact, omniglotFromFiles } from "../../src/data/omniglot.ts";
import { KshotError } from "../../src/errors.ts";
import type { Rng } from "../../src/rng.ts";
import { fuzz, fuzzCases, mutate, randomJson } from "./harness.ts";
import { randomPng } from "./random-png.ts";

function validIndex(): Record<string, unknown> {
  const character = (name: string, id: number, offset: number) => ({ name, id, offset, count: 2 });
  return {
    width: 28, height: 28, channels: 1, total_images: 8,
    sets: [
      { name: "background", alphabets: [{ name: "A", characters: [character("character01", 1, 0), character("character02", 2, 2)] }] },
      { name: "evaluation", alphabets: [{ name: "B", characters: [character("character01", 3, 4), character("character02", 4, 6)] }] },
    ],
  };
}

/** Replaces, deletes or duplicates one value somewhere in a JSON tree. */
function editTree(value: unknown, rng: Rng): unknown {
  if (value === null || typeof value !== "object" || rng.int(4) === 0) return randomJson(rng, 2);
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  if (keys.length === 0) return randomJson(rng);
  const key = keys[rng.int(keys.length)]!;
  const copy: Record<string, unknown> = Array.isArray(node) ? ([...node] as unknown as Record<string, unknown>) : { ...node };
  const action = rng.int(6);
  if (action === 0) delete copy[key];
  else if (action === 1 && Array.isArray(copy)) (copy as unknown[]).push(structuredClone(node[key]));
  else copy[key] = editTree(node[key], rng);
  return copy;
}

function checkOmniglot(omni: ReturnType<typeof omniglotFromCompact>): void {
  const { first, count, bytes } = omni.layout;
  const images = bytes.length / 784;
  for (let c = 0; c < first.length; c++) {
    if (first[c]! < 0 || count[c]! < 1 || first[c]! + count[c]! > images) throw new Error(`character ${c} outside the images`);
  }
}

describe("fuzz: dataset loaders", () => {
  it("Omniglot index: edited trees and edited JSON text", async () => {
    const bin = new Uint8Array(8 * 784);
    const r = await fuzz("omniglot-index", 1803, fuzzCases(500), KshotError, (rng) => {
      const tree = editTree(validIndex(), rng);
      const index = rng.int(3) === 0 ? new TextDecoder().decode(mutate(new TextEncoder().encode(JSON.stringify(tree) ?? ""), rng)) : tree;
      checkOmniglot(omniglotFromCompact(rng.int(10) ? bin : bin.subarray(rng.int(bin.length)), index));
    });
    expect(r.rejected).toBeGreaterThan(r.cases / 4);
    expect(r.accepted).toBeGreaterThan(0);
  });

  it("Omniglot official files: odd paths and hostile PNGs", async () => {
    const paths = ["images_background/A/character01/0001_01.png", "images_evaluation/B/character02/0002_01.png", "x/images_background/A/character01/0001_02.png"];
    const r = await fuzz("omniglot-files", 1804, fuzzCases(300), KshotError, (rng) => {
      const files = Array.from({ length: 1 + rng.int(3) }, () => {
        const path = paths[rng.int(paths.length)]!;
        const png = randomPng(rng);
        return { path: rng.int(4) ? path : new TextDecoder().decode(mutate(new TextEncoder().encode(path), rng)), bytes: rng.int(3) ? png : mutate(png, rng) };
      });
      checkOmniglot(omniglotFromFiles(files));
    });
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.accepted).toBeGreaterThan(0);
  });

  it("image folder: hostile images, class names and options", async () => {
    const r = await fuzz("imagefolder", 1805, fuzzCases(300), KshotError, (rng) => {
      const images = Array.from({ length: rng.int(5) }, (_, i) => {
        const png = randomPng(rng);
        return { className: ["a", "b", "", "__proto__"][rng.int(4)]!, name: `${i}.png`, bytes: rng.int(3) ? png : mutate(png, rng) };
      });
      const size = rng.int(5) ? 1 + rng.int(8) : (randomJson(rng) as number);
      const channels = rng.int(5) ? ([1, 3] as const)[rng.int(2)] : (randomJson(rng) as 1);
      const ds = imageFolderFromImages(images, { size, channels, invert: rng.int(2) === 1 });
      expect(ds.images.length).toBe(images.length * ds.shape[0]! * ds.shape[1]! * ds.shape[2]!);
      for (const v of ds.images) if (!(v >= 0 && v <= 1)) throw new Error(`a pixel value ${v} outside [0, 1]`);
    });
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.accepted).toBeGreaterThan(0);
  });
});
