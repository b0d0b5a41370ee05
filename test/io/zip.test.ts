import { describe, expect, it } from "vitest";
import { KshotError } from "../../src/errors.ts";
import { crc32, readZipEntry, zipEntries } from "../../src/io/zip.ts";
import { buildZip } from "../support/zip-builder.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("zip archives", () => {
  it("lists entries and reads stored and deflated ones back", async () => {
    const big = text("omniglot ".repeat(500));
    const archive = await buildZip([
      { name: "set/", bytes: new Uint8Array(0) },
      { name: "set/a.txt", bytes: text("stored"), store: true },
      { name: "set/b.txt", bytes: big },
    ]);
    const entries = zipEntries(archive);
    expect(entries.map((e) => [e.name, e.method, e.size])).toEqual([["set/", 0, 0], ["set/a.txt", 0, 6], ["set/b.txt", 8, big.length]]);
    expect(entries[2]!.compressedSize).toBeLessThan(big.length / 10);
    expect(await readZipEntry(archive, entries[1]!)).toEqual(text("stored"));
    expect(await readZipEntry(archive, entries[2]!)).toEqual(big);
  });

  it("CRC-32 is the standard one", () => {
    expect(crc32(text("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("rejects what is not a whole zip, and archives over the limits", async () => {
    const archive = await buildZip([{ name: "x.bin", bytes: new Uint8Array(1000).fill(7) }, { name: "y.bin", bytes: new Uint8Array(10) }]);
    expect(() => zipEntries(text("not a zip file at all, clearly"))).toThrow(/end-of-central-directory/);
    expect(() => zipEntries(archive.subarray(0, archive.length - 30))).toThrow(KshotError);
    expect(() => zipEntries(archive, { maxEntries: 1 })).toThrow(/at most 1 entries, got 2/);
    expect(() => zipEntries(archive, { maxTotalSize: 500 })).toThrow(/at most 500 bytes/);
  });

  it("a damaged entry fails its size or CRC check", async () => {
    const archive = await buildZip([{ name: "x.txt", bytes: text("hello, zip"), store: true }]);
    const [entry] = zipEntries(archive);
    const damaged = archive.slice();
    damaged[30 + "x.txt".length] ^= 0xff;
    await expect(readZipEntry(damaged, entry!)).rejects.toThrow(/CRC-32 mismatch/);
    await expect(readZipEntry(archive, { ...entry!, size: 3, method: 8 })).rejects.toThrow(KshotError);
  });
});
