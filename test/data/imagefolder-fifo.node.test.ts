import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadImageFolder } from "../../src/data/imagefolder.ts";
import { readFileBytes } from "../../src/io/files.ts";
import { grayPng } from "./png-bytes.ts";

// Node only: making a FIFO needs mkfifo.
describe("imagefolder reads only regular files", () => {
  it("skips a FIFO named x.png instead of blocking on it", async () => {
    const root = mkdtempSync(join(tmpdir(), "kshot-fifo-"));
    try {
      mkdirSync(join(root, "a"));
      writeFileSync(join(root, "a", "ok.png"), grayPng(2, 2));
      execFileSync("mkfifo", [join(root, "a", "x.png")]);
      const ds = await loadImageFolder(root, { size: 2 });
      expect(ds.labels.length).toBe(1);
      await expect(readFileBytes(join(root, "a", "x.png"))).rejects.toThrow(/not a regular file/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
