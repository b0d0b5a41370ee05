import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { encode as encodePng } from "fast-png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOmniglot, omniglotFromFiles, type OmniglotFile } from "../../src/data/omniglot.ts";
import { buildZip } from "../support/zip-builder.ts";
import { kshotWithEnv, scratch } from "./capture.ts";
import { type FileServer, startFileServer } from "./file-server.ts";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

/** A 105×105 1-bit PNG like the official ones (ink = 0), with a pattern drawn from `seed`. */
function glyphPng(seed: number): Uint8Array {
  const rowBytes = Math.ceil(105 / 8);
  const data = new Uint8Array(rowBytes * 105).fill(0xff);
  for (let y = 20 + (seed % 30); y < 60 + (seed % 40); y++) data[y * rowBytes + (seed % 11)] = 0x0f ^ seed;
  return encodePng({ width: 105, height: 105, depth: 1, channels: 1, data });
}

/** One archive of the official layout: 2 alphabets × 2 characters × 3 drawers (plus directory entries). */
function officialFiles(set: "background" | "evaluation", base: number): OmniglotFile[] {
  const files: OmniglotFile[] = [];
  for (const [a, alphabet] of ["Alpha_(test)", "Beta"].entries()) {
    for (let c = 1; c <= 2; c++) {
      const id = base + a * 2 + c;
      for (let d = 1; d <= 3; d++) {
        const path = `images_${set}/${alphabet}/character0${c}/${String(id).padStart(4, "0")}_0${d}.png`;
        files.push({ path, bytes: glyphPng(id * 3 + d) });
      }
    }
  }
  return files;
}

async function archive(files: OmniglotFile[]): Promise<Uint8Array> {
  const dirs = [...new Set(files.map((f) => f.path.split("/")[0] + "/"))];
  return buildZip([...dirs.map((name) => ({ name, bytes: new Uint8Array(0) })), ...files.map((f) => ({ name: f.path, bytes: f.bytes }))]);
}

describe("kshot data omniglot (against a local server)", () => {
  let server: FileServer;
  const files = [...officialFiles("background", 100), ...officialFiles("evaluation", 900)];
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startFileServer();
    const background = await archive(files.filter((f) => f.path.startsWith("images_background/")));
    const evaluation = await archive(files.filter((f) => f.path.startsWith("images_evaluation/")));
    server.files.set("/python/images_background.zip", { bytes: background, cutAfter: Math.floor(background.length / 2) });
    server.files.set("/python/images_evaluation.zip", { bytes: evaluation });
    env = { KSHOT_OMNIGLOT_URL: `${server.url}/python`, KSHOT_OMNIGLOT_MD5: `${md5(background)},${md5(evaluation)}` };
  });
  afterAll(() => server.close());

  it("downloads (resuming a dropped connection), checks, converts to the compact pair the loader reads", async () => {
    const root = scratch("omniglot-data");
    const r = await kshotWithEnv({ ...env, KSHOT_DATA: root }, "data", "omniglot", "--json");
    expect(r.err.join("\n")).toContain("converting 24 images to 28×28");
    expect(r.code).toBe(0);
    const to = join(root, "omniglot");
    expect(r.json()).toMatchObject({ dataset: "omniglot", path: to, images: 24 });
    expect(readdirSync(to).sort()).toEqual(["omniglot-28.bin", "omniglot-28.json"]); // archives removed
    expect(server.ranges.get("/python/images_background.zip")!.slice(-1)[0]).toMatch(/^bytes=\d+-$/);
    const loaded = await loadOmniglot(to);
    const direct = omniglotFromFiles(files);
    expect(loaded.characters).toEqual(direct.characters);
    expect(loaded.characters.map((c) => `${c.set}/${c.alphabet}/${c.name}`).slice(0, 3)).toEqual([
      "background/Alpha_(test)/character01", "background/Alpha_(test)/character02", "background/Beta/character01",
    ]);
    expect(loaded.layout.bytes).toEqual(direct.layout.bytes);
    expect(Array.from(loaded.layout.count)).toEqual(new Array(8).fill(3));

    const again = await kshotWithEnv({ ...env, KSHOT_DATA: root }, "data", "omniglot");
    expect(again.code).toBe(0);
    expect(again.err.join("\n")).toContain(`omniglot is already in ${to}`);
    expect(again.out).toEqual([to]);
  });

  it("--to names the folder; a wrong checksum fails and leaves no archive and no pair", async () => {
    const to = join(scratch("omniglot-bad"), "here");
    const wrong = { ...env, KSHOT_OMNIGLOT_MD5: `${"1".repeat(32)},${"2".repeat(32)}` };
    const r = await kshotWithEnv(wrong, "data", "omniglot", "--to", to);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err.join("\n")).toMatch(/kshot data: download of .*images_background.zip: expected MD5 1{32}, got [0-9a-f]{32}/);
    expect(readdirSync(to)).toEqual([]);
    const bad = await kshotWithEnv({ ...env, KSHOT_OMNIGLOT_MD5: "abc" }, "data", "omniglot", "--to", to);
    expect(bad.err.join("\n")).toMatch(/KSHOT_OMNIGLOT_MD5: expected 2 comma-separated MD5s/);
  });

  it("usage: a dataset name is required; --dataset omniglot without data names the command that fetches it", async () => {
    const u = await kshotWithEnv({}, "data", "mnist");
    expect(u.code).toBe(2);
    expect(u.err.join("\n")).toMatch(/expected a dataset to download, omniglot, got "mnist"/);
    const root = scratch("omniglot-none");
    const t = await kshotWithEnv({ KSHOT_DATA: root }, "train", "--dataset", "omniglot", "--out", join(root, "m.safetensors"));
    expect(t.code).toBe(1);
    expect(t.err.join("\n")).toContain(`omniglot: not downloaded yet (looked in ${join(root, "omniglot")}); fetch it with \`kshot data omniglot\``);
    expect(existsSync(join(root, "m.safetensors"))).toBe(false);
  });
});
