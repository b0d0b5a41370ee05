import { encode as encodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import { imageFolderFromImages, loadImageFolder, loadImageFolderSplit } from "../../src/data/imagefolder.ts";
import { KshotError } from "../../src/errors.ts";
import { makeDirectory, writeFileAtomic } from "../../src/io/files.ts";
import { hasFileSystem, scratchDirectory } from "./environment.ts";
import { GRAY_128_JPEG, RED_200_JPEG, RED_255_JPEG } from "./jpeg-fixtures.ts";

/** A 4×4 gray PNG: the left half `left`, the right half `right`. */
function halves(left: number, right: number): Uint8Array {
  const data = new Uint8Array(16);
  for (let i = 0; i < 16; i++) data[i] = i % 4 < 2 ? left : right;
  return encodePng({ width: 4, height: 4, depth: 8, channels: 1, data });
}

/** One of two fixture JPEGs for the folder tests. */
function jpegFile(variant: number): Uint8Array {
  return variant === 0 ? GRAY_128_JPEG : RED_200_JPEG;
}

describe("imagefolder from bytes", () => {
  it("sorts classes by name, resizes by area and scales to [0, 1]", () => {
    const ds = imageFolderFromImages(
      [
        { className: "zeta", name: "z1.png", bytes: halves(0, 255) },
        { className: "alpha", name: "a1.png", bytes: halves(255, 51) },
      ],
      { size: [1, 2] },
    );
    expect(ds.classNames).toEqual(["alpha", "zeta"]);
    expect(Array.from(ds.labels)).toEqual([1, 0]);
    expect(ds.shape).toEqual([1, 1, 2]);
    expect(Array.from(ds.images)).toEqual([0, 1, 1, 0.2].map(Math.fround));
  });

  it("inverts dark-on-light data, converts gray to RGB and RGB to gray", () => {
    const inverted = imageFolderFromImages([{ className: "a", name: "a.png", bytes: halves(255, 51) }], { size: 2, invert: true });
    expect(Array.from(inverted.images)).toEqual([0, 0.8, 0, 0.8].map(Math.fround));
    const rgb = imageFolderFromImages([{ className: "a", name: "a.png", bytes: halves(255, 0) }], { size: 1, channels: 3 });
    expect(rgb.shape).toEqual([3, 1, 1]);
    expect(Array.from(rgb.images)).toEqual([0.5, 0.5, 0.5]);
    const gray = imageFolderFromImages([{ className: "a", name: "red.jpg", bytes: RED_255_JPEG }], { size: 2 });
    expect(gray.images.every((v) => Math.abs(v - 0.299) < 0.02)).toBe(true);
  });

  it("rejects bad options and empty input", () => {
    const one = [{ className: "a", name: "a.png", bytes: halves(0, 0) }];
    expect(() => imageFolderFromImages(one, { channels: 2 as 1 })).toThrow(/channels 1 or 3/);
    expect(() => imageFolderFromImages(one, { size: 0 })).toThrow(KshotError);
    expect(() => imageFolderFromImages([])).toThrow(KshotError);
  });
});

describe("imagefolder from a folder", () => {
  if (!hasFileSystem) {
    it("is skipped in a browser (no file system)", () => expect(hasFileSystem).toBe(false));
    return;
  }

  async function writeClasses(root: string, classes: string[], perClass: number): Promise<void> {
    for (const [c, name] of classes.entries()) {
      await makeDirectory(`${root}/${name}`);
      for (let i = 0; i < perClass; i++) {
        const bytes = i % 2 === 0 ? halves(c * 20, 255 - i) : jpegFile(c % 2);
        await writeFileAtomic(`${root}/${name}/img${i}.${i % 2 === 0 ? "png" : "jpg"}`, bytes);
      }
    }
  }

  it("loads PNG and JPEG images of class subfolders, ignoring other files", async () => {
    const root = await scratchDirectory("kshot-imagefolder-");
    await writeClasses(root, ["cat", "dog", "eel"], 3);
    await writeFileAtomic(`${root}/dog/notes.txt`, "not an image");
    const ds = await loadImageFolder(root, { size: 6 });
    expect(ds.numClasses).toBe(3);
    expect(ds.classNames).toEqual(["cat", "dog", "eel"]);
    expect(ds.labels.length).toBe(9);
    expect(ds.shape).toEqual([1, 6, 6]);
    expect(ds.images.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it("splits by class at random without train/test folders, and uses them when present", async () => {
    const flat = await scratchDirectory("kshot-imagefolder-flat-");
    await writeClasses(flat, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 2);
    const split = await loadImageFolderSplit(flat, { size: 4 });
    expect([split.train.numClasses, split.validation.numClasses, split.test.numClasses]).toEqual([7, 1, 2]);
    const names = [split.train, split.validation, split.test].flatMap((s) =>
      Array.from({ length: s.numClasses }, (_, c) => s.className(c)),
    );
    expect(new Set(names).size).toBe(10);

    const parted = await scratchDirectory("kshot-imagefolder-parts-");
    await writeClasses(`${parted}/train`, ["a", "b", "c", "d"], 2);
    await writeClasses(`${parted}/val`, ["e", "f"], 2);
    await writeClasses(`${parted}/test`, ["g", "h", "i"], 2);
    const parts = await loadImageFolderSplit(parted, { size: 4 });
    expect([parts.train.numClasses, parts.validation.numClasses, parts.test.numClasses]).toEqual([4, 2, 3]);
    expect(parts.test.className(0)).toBe("g");
  });

  it("explains a folder without classes or a class without images", async () => {
    const empty = await scratchDirectory("kshot-imagefolder-empty-");
    await expect(loadImageFolder(empty)).rejects.toThrow(/expected class subfolders/);
    await makeDirectory(`${empty}/lonely`);
    await writeFileAtomic(`${empty}/lonely/readme.txt`, "x");
    await expect(loadImageFolder(empty)).rejects.toThrow(/has no .png\/.jpg\/.jpeg images/);
  });
});
