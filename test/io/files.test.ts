import { describe, expect, it } from "vitest";
import { KshotError } from "../../src/errors.ts";
import {
  fileExists,
  listDirectory,
  makeDirectory,
  readFileBytes,
  readFileText,
  removeDirectory,
  removeFile,
  writeFileAtomic,
} from "../../src/io/files.ts";
import { hasFileSystem, scratchDirectory } from "./io-paths.ts";

/** Runs `body` in a fresh scratch folder, then removes what it left (files and empty folders only). */
async function inScratch(label: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await scratchDirectory(label);
  try {
    await body(dir);
  } finally {
    await removeTree(dir);
  }
}

async function removeTree(dir: string): Promise<void> {
  for (const e of await listDirectory(dir)) {
    if (e.isDirectory) await removeTree(`${dir}/${e.name}`);
    else await removeFile(`${dir}/${e.name}`);
  }
  await removeDirectory(dir);
}

const names = async (dir: string): Promise<string[]> => (await listDirectory(dir)).map((e) => e.name);

if (!hasFileSystem) {
  describe("files in a browser", () => {
    it("reject with a KshotError that points to bytes and URLs", async () => {
      await expect(readFileBytes("/x.bin")).rejects.toThrow(/not available in a browser/);
      await expect(writeFileAtomic("/x.bin", "x")).rejects.toThrow(/not available in a browser/);
      await expect(listDirectory("/")).rejects.toThrow(/not available in a browser/);
      await expect(fileExists("/x.bin")).rejects.toThrow(/not available in a browser/);
      // the way out, also for a relative path in a page opened from file://
      await expect(readFileBytes("model.safetensors")).rejects.toThrow(/serve the folder over http .* or pass the bytes/);
    });
  });
} else {
  describe("files", () => {
    it("writes atomically and reads back bytes and text", async () => {
      await inScratch("rw", async (dir) => {
        const path = `${dir}/a.bin`;
        const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
        await writeFileAtomic(path, bytes);
        const back = await readFileBytes(path);
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Array.from(back)).toEqual(Array.from(bytes));

        await writeFileAtomic(path, "héllo ✓"); // replaces the old file whole
        expect(await readFileText(path)).toBe("héllo ✓");
        expect((await readFileBytes(path)).length).toBe(new TextEncoder().encode("héllo ✓").length);
        expect(await names(dir)).toEqual(["a.bin"]); // no temp file left behind
      });
    });

    it("leaves no temp file and no target when the folder is missing", async () => {
      await inScratch("missing", async (dir) => {
        const path = `${dir}/missing/out.bin`;
        await expect(writeFileAtomic(path, new Uint8Array(8))).rejects.toThrow(KshotError);
        await expect(writeFileAtomic(path, new Uint8Array(8))).rejects.toThrow(
          /cannot write .*missing\/out\.bin: no such file or directory/,
        );
        expect(await names(dir)).toEqual([]);
        expect(await fileExists(path)).toBe(false);
      });
    });

    it("removes its temp file when the rename fails, leaving the target untouched", async () => {
      await inScratch("rename", async (dir) => {
        // The temp file is written, but a file cannot be renamed over a non-empty directory.
        const target = `${dir}/target`;
        await makeDirectory(target);
        await writeFileAtomic(`${target}/keep.txt`, "kept");
        await expect(writeFileAtomic(target, "new")).rejects.toThrow(/cannot write .*target: /);
        expect(await names(dir)).toEqual(["target"]);
        expect(await names(target)).toEqual(["keep.txt"]);
        expect(await readFileText(`${target}/keep.txt`)).toBe("kept");
      });
    });

    it("says which path could not be read and why", async () => {
      await inScratch("read", async (dir) => {
        await expect(readFileBytes(`${dir}/nope.bin`)).rejects.toThrow(/cannot read .*nope\.bin: no such file or directory/);
        await expect(readFileBytes(dir)).rejects.toThrow(/cannot read .*: is a directory/);
        await writeFileAtomic(`${dir}/bad.txt`, Uint8Array.of(0x61, 0xff, 0x62));
        await expect(readFileText(`${dir}/bad.txt`)).rejects.toThrow(/expected UTF-8/);
        await expect(readFileBytes(`${dir}/bad.txt`, { maxBytes: 2 })).rejects.toThrow(/cannot read .*bad\.txt: it has 3 bytes, at most 2 are allowed/);
        await expect(listDirectory(`${dir}/bad.txt`)).rejects.toThrow(/cannot list .*bad\.txt: not a directory/);
        await expect(listDirectory(`${dir}/nope`)).rejects.toThrow(/cannot list .*nope: no such file or directory/);
      });
    });

    it("lists a directory sorted by code unit, with directory flags", async () => {
      await inScratch("list", async (dir) => {
        const files = ["b", "B", "a.txt", "é", "Z10", "Z9", "_"];
        for (const f of files) await writeFileAtomic(`${dir}/${f}`, f);
        await makeDirectory(`${dir}/sub/deeper`);
        const listing = await listDirectory(dir);
        const expected = [...files, "sub"].sort();
        expect(listing.map((e) => e.name)).toEqual(expected);
        for (const e of listing) expect(e.isDirectory).toBe(e.name === "sub");
        for (const e of listing) expect(e.isFile).toBe(e.name !== "sub");
        expect(await listDirectory(`${dir}/sub`)).toEqual([{ name: "deeper", isDirectory: true, isFile: false }]);
      });
    });

    it("tells whether a path exists", async () => {
      await inScratch("exists", async (dir) => {
        expect(await fileExists(dir)).toBe(true);
        expect(await fileExists(`${dir}/f`)).toBe(false);
        await writeFileAtomic(`${dir}/f`, "");
        expect(await fileExists(`${dir}/f`)).toBe(true);
        expect((await readFileBytes(`${dir}/f`)).length).toBe(0);
        expect(await fileExists(`${dir}/f/under-a-file`)).toBe(false);
      });
    });

    it("creates nested directories, and removes only empty ones", async () => {
      await inScratch("dirs", async (dir) => {
        await makeDirectory(`${dir}/x/y/z`);
        await makeDirectory(`${dir}/x/y/z`); // already there: fine
        expect(await fileExists(`${dir}/x/y/z`)).toBe(true);
        await expect(removeDirectory(`${dir}/x`)).rejects.toThrow(/cannot remove directory .*x: /);
        await removeDirectory(`${dir}/x/y/z`);
        expect(await names(`${dir}/x/y`)).toEqual([]);
        await expect(removeFile(`${dir}/x/y/nope`)).rejects.toThrow(/no such file or directory/);
      });
    });
  });
}
