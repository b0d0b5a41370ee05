/**
 * `kshot data omniglot`: the official Omniglot archives (brendenlake/omniglot, `python/`), downloaded and
 * checked against their published MD5s, unzipped in memory and converted to the compact
 * `omniglot-28.bin` + `omniglot-28.json` pair that `--dataset omniglot` reads. The archives are removed
 * once the pair is written.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { omniglotFromFiles, type OmniglotFile } from "../data/omniglot.ts";
import { omniglotToCompact } from "../data/omniglot-compact.ts";
import { KshotError } from "../errors.ts";
import { fileExists, writeFileAtomic } from "../io/files.ts";
import { readZipEntry, zipEntries } from "../io/zip.ts";
import { download, type DownloadProgress } from "./download.ts";

export interface OmniglotArchive {
  /** The file name, `images_background.zip` or `images_evaluation.zip`. */
  name: string;
  url: string;
  md5: string;
}

const OFFICIAL_BASE = "https://raw.githubusercontent.com/brendenlake/omniglot/master/python";

/** The official archives' names and the MD5s torchvision publishes for them. */
const OFFICIAL_ARCHIVES: readonly { name: string; md5: string }[] = [
  { name: "images_background.zip", md5: "68d2efa1b9178cc56df9314c21c6e718" },
  { name: "images_evaluation.zip", md5: "6b91aef0f799c5bb55b94e3f2daec811" },
];

/**
 * The archives to fetch: the official ones, or (for tests and mirrors) the same names under
 * `$KSHOT_OMNIGLOT_URL` with the MD5s `$KSHOT_OMNIGLOT_MD5` (comma-separated, background first).
 */
export function omniglotArchives(env: Readonly<Record<string, string | undefined>> = {}): OmniglotArchive[] {
  const base = (env.KSHOT_OMNIGLOT_URL ?? OFFICIAL_BASE).replace(/\/+$/, "");
  const md5s = env.KSHOT_OMNIGLOT_MD5?.split(",").map((m) => m.trim().toLowerCase());
  if (md5s && (md5s.length !== OFFICIAL_ARCHIVES.length || !md5s.every((m) => /^[0-9a-f]{32}$/.test(m)))) {
    throw new KshotError(`KSHOT_OMNIGLOT_MD5: expected ${OFFICIAL_ARCHIVES.length} comma-separated MD5s (32 hex digits), got ${JSON.stringify(env.KSHOT_OMNIGLOT_MD5)}`);
  }
  return OFFICIAL_ARCHIVES.map(({ name, md5 }, i) => ({ name, url: `${base}/${name}`, md5: md5s?.[i] ?? md5 }));
}

export const OMNIGLOT_FILES = ["omniglot-28.bin", "omniglot-28.json"] as const;

/** True when `folder` holds the compact pair. */
export async function hasCompactOmniglot(folder: string): Promise<boolean> {
  for (const name of OMNIGLOT_FILES) if (!(await fileExists(join(folder, name)))) return false;
  return true;
}

/** The PNG files of one archive, with their paths inside it. */
async function archiveImages(path: string): Promise<OmniglotFile[]> {
  const archive = new Uint8Array(await readFile(path));
  const files: OmniglotFile[] = [];
  for (const entry of zipEntries(archive)) {
    if (entry.name.endsWith("/") || !/\.png$/i.test(entry.name) || entry.name.startsWith("__MACOSX/")) continue;
    files.push({ path: entry.name, bytes: await readZipEntry(archive, entry) });
  }
  if (files.length === 0) throw new KshotError(`${path}: expected PNG images of the official layout, found none`);
  return files;
}

export interface OmniglotDownloadOptions {
  /** The folder the pair is written to. */
  to: string;
  archives?: readonly OmniglotArchive[];
  onProgress?: (p: DownloadProgress) => void;
  /** One line per phase (downloading, converting, written). */
  onStep?: (message: string) => void;
  signal?: AbortSignal;
}

/** Downloads, checks and converts; returns the number of images written. */
export async function downloadOmniglot(options: OmniglotDownloadOptions): Promise<number> {
  const { to } = options;
  const archives = options.archives ?? omniglotArchives();
  await mkdir(to, { recursive: true });
  const files: OmniglotFile[] = [];
  for (const archive of archives) {
    const path = join(to, archive.name);
    options.onStep?.(`downloading ${archive.url}`);
    await download({ url: archive.url, path, md5: archive.md5, onProgress: options.onProgress, signal: options.signal });
    files.push(...(await archiveImages(path)));
  }
  options.onStep?.(`converting ${files.length} images to 28×28`);
  const { bin, index } = omniglotToCompact(omniglotFromFiles(files), {
    source: archives.map(({ url, md5 }) => ({ url, md5 })),
  });
  index.sha256 = createHash("sha256").update(bin).digest("hex");
  // The index goes last: a folder holding it holds a complete pair.
  await writeFileAtomic(join(to, OMNIGLOT_FILES[0]), bin);
  await writeFileAtomic(join(to, OMNIGLOT_FILES[1]), JSON.stringify(index, null, 1) + "\n");
  for (const archive of archives) await rm(join(to, archive.name), { force: true });
  options.onStep?.(`wrote ${join(to, OMNIGLOT_FILES[0])} and ${OMNIGLOT_FILES[1]}: ${index.total_characters} characters, ${index.total_images} images`);
  return index.total_images as number;
}
