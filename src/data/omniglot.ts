/**
 * Omniglot (Lake et al. 2015, MIT license), read from either form:
 * - the compact pair `omniglot-28.bin` (N × 28 × 28 uint8, 255 = paper) + `omniglot-28.json` (the index);
 * - the official folder layout `images_background/<Alphabet>/<characterNN>/NNNN_DD.png` (and
 *   `images_evaluation`), 105×105 1-bit PNGs, resized by exact area averaging with
 *   value = round-half-up(255 × white fraction) in integers: the recipe of the compact file, so both give
 *   the same bytes.
 * Polarity is turned to ink = 1 on background = 0. Characters are in the compact file's order (background
 * set first, then evaluation; alphabets, characters and files sorted by name), which the splits rely on.
 */
import { KshotError } from "../errors.ts";
import { fileExists, listDirectory, readFileBytes, readFileText } from "../io/files.ts";
import { type ByteClassLayout, byteClassSource } from "./byte-images.ts";
import type { ClassSource } from "./dataset.ts";
import { decodeImage, grayPlane } from "./image-decode.ts";
import { DEFAULT_IMAGE_LIMITS } from "./image-limits.ts";
import { areaResizeToBytes } from "./resize.ts";

export type OmniglotSet = "background" | "evaluation";

export interface OmniglotCharacter {
  set: OmniglotSet;
  alphabet: string;
  /** The folder name, `characterNN`. */
  name: string;
  /** The official 4-digit character number NNNN of the file names `NNNN_DD.png`. */
  id: number;
}

export interface Omniglot {
  /** Every character, in index order. */
  characters: OmniglotCharacter[];
  /** All characters as classes in index order (class i = characters[i]), ink = 1. */
  source: ClassSource;
  /** The 8-bit ink images (255 = full ink) behind `source`. */
  layout: ByteClassLayout;
}

export const OMNIGLOT_SETS: readonly OmniglotSet[] = ["background", "evaluation"];
const SIDE = 28;

function build(characters: OmniglotCharacter[], layout: Omit<ByteClassLayout, "names">): Omniglot {
  const full: ByteClassLayout = { ...layout, names: characters.map((c) => `${c.alphabet}/${c.name}`) };
  return { characters, layout: full, source: byteClassSource(full) };
}

// ---- the compact pair --------------------------------------------------------------------------------

interface IndexCharacter {
  name: string;
  id: number;
  offset: number;
  count: number;
}

interface CompactIndex {
  total_images: number;
  sets: { name: OmniglotSet; alphabets: { name: string; characters: IndexCharacter[] }[] }[];
}

/** Largest omniglot-28.json read (the real one has about 130 KB). */
const MAX_INDEX_BYTES = 2 ** 24;

type Fields = Record<string, unknown>;

/** The index as a checked structure: every field of the type expected, else a KshotError naming it. */
function parseIndex(index: unknown): CompactIndex {
  const fail = (message: string): never => {
    throw new KshotError(`omniglot index: ${message}`);
  };
  let value = index;
  if (typeof index === "string") {
    if (index.length > MAX_INDEX_BYTES) fail(`expected at most ${MAX_INDEX_BYTES} characters of JSON, got ${index.length}`);
    try {
      value = JSON.parse(index);
    } catch (err) {
      fail(`expected the JSON of omniglot-28.json, found invalid JSON (${(err as Error).message})`);
    }
  }
  const object = (v: unknown, what: string): Fields =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Fields) : fail(`expected ${what} to be an object, got ${describe(v)}`);
  // Array.from: a sparse array's holes become undefined, which the element checks then name.
  const array = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? Array.from(v) : fail(`expected ${what} to be an array, got ${describe(v)}`));
  const text = (v: unknown, what: string): string => (typeof v === "string" ? v : fail(`expected ${what} to be a string, got ${describe(v)}`));
  const integer = (v: unknown, what: string, min: number): number =>
    Number.isSafeInteger(v) && (v as number) >= min ? (v as number) : fail(`expected ${what} to be an integer ≥ ${min}, got ${describe(v)}`);
  const root = object(value, "the index (omniglot-28.json)");
  if (root.width !== SIDE || root.height !== SIDE || (root.channels ?? 1) !== 1) {
    fail(`expected 28×28 single-channel images, got ${describe(root.width)}×${describe(root.height)}×${describe(root.channels ?? 1)}`);
  }
  const total = integer(root.total_images, "total_images", 0);
  const sets = array(root.sets, "sets").map((s, i) => {
    const set = object(s, `sets[${i}]`);
    const name = text(set.name, `sets[${i}].name`);
    if (!OMNIGLOT_SETS.includes(name as OmniglotSet)) fail(`expected sets "background" and "evaluation", got "${name}"`);
    const alphabets = array(set.alphabets, `${name}.alphabets`).map((a, j) => {
      const alphabet = object(a, `${name}.alphabets[${j}]`);
      const where = `${name}/${text(alphabet.name, `${name}.alphabets[${j}].name`)}`;
      const characters = array(alphabet.characters, `${where}.characters`).map((c, k) => {
        const ch = object(c, `${where}.characters[${k}]`);
        const at = `${where}/${text(ch.name, `${where}.characters[${k}].name`)}`;
        return { name: ch.name as string, id: integer(ch.id, `${at} id`, 0), offset: integer(ch.offset, `${at} offset`, 0), count: integer(ch.count, `${at} count`, 1) };
      });
      return { name: alphabet.name as string, characters };
    });
    return { name: name as OmniglotSet, alphabets };
  });
  return { total_images: total, sets };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? String(v);
  return "an object";
}

/** Every character's images must lie in the file and belong to it alone (no two characters share an image). */
function checkRanges(entries: { where: string; offset: number; count: number }[], total: number): void {
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  sorted.forEach((e, i) => {
    if (e.offset + e.count > total) {
      throw new KshotError(`omniglot index: ${e.where} has images ${e.offset}..${e.offset + e.count - 1}, outside 0..${total - 1}`);
    }
    const next = sorted[i + 1];
    if (next && next.offset < e.offset + e.count) {
      throw new KshotError(`omniglot index: ${e.where} (images ${e.offset}..${e.offset + e.count - 1}) and ${next.where} (from ${next.offset}) share images; expected each image to belong to one character`);
    }
  });
}

/**
 * Omniglot from the compact pair: the bytes of `omniglot-28.bin` and the index (`omniglot-28.json`, as
 * text or parsed).
 */
export function omniglotFromCompact(bin: Uint8Array, index: unknown): Omniglot {
  const parsed = parseIndex(index);
  const imageBytes = SIDE * SIDE;
  if (bin.length !== parsed.total_images * imageBytes) {
    throw new KshotError(
      `omniglot-28.bin: expected ${parsed.total_images} images × ${imageBytes} bytes = ${parsed.total_images * imageBytes}, got ${bin.length} bytes`,
    );
  }
  const characters: OmniglotCharacter[] = [];
  const ranges: { where: string; offset: number; count: number }[] = [];
  for (const set of parsed.sets) {
    for (const alphabet of set.alphabets) {
      for (const ch of alphabet.characters) {
        characters.push({ set: set.name, alphabet: alphabet.name, name: ch.name, id: ch.id });
        ranges.push({ where: `${alphabet.name}/${ch.name}`, offset: ch.offset, count: ch.count });
      }
    }
  }
  checkRanges(ranges, parsed.total_images);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = 255 - bin[i]!; // paper = 255 → ink = 255
  return build(characters, {
    bytes,
    shape: [1, SIDE, SIDE],
    first: Int32Array.from(ranges, (r) => r.offset),
    count: Int32Array.from(ranges, (r) => r.count),
  });
}

// ---- the official folder layout ----------------------------------------------------------------------

/** One image file of the official layout: `images_background/<Alphabet>/<characterNN>/NNNN_DD.png`. */
export interface OmniglotFile {
  path: string;
  bytes: Uint8Array;
}

const SET_FOLDERS: Record<string, OmniglotSet> = {
  images_background: "background",
  images_evaluation: "evaluation",
};

interface ParsedPath {
  set: OmniglotSet;
  alphabet: string;
  character: string;
  id: number;
  file: string;
}

function parsePath(path: string): ParsedPath {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  const [setFolder, alphabet, character, file] = parts.slice(-4);
  const set = setFolder === undefined ? undefined : SET_FOLDERS[setFolder];
  const match = file === undefined ? null : /^(\d+)_(\d+)\.png$/i.exec(file);
  if (parts.length < 4 || set === undefined || !match || !alphabet || !character) {
    throw new KshotError(
      `omniglot: expected a path ending images_background|images_evaluation/<Alphabet>/<characterNN>/NNNN_DD.png, got ${path}`,
    );
  }
  return { set, alphabet, character, id: Number(match[1]), file: file! };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Resizes one decoded official image to 28×28 ink bytes (255 = full ink). */
function inkBytes(file: OmniglotFile): Uint8Array {
  const image = decodeImage(file.bytes, file.path);
  const paper = areaResizeToBytes(grayPlane(image), image.width, image.height, SIDE, SIDE, image.maxValue);
  for (let i = 0; i < paper.length; i++) paper[i] = 255 - paper[i]!;
  return paper;
}

/**
 * Omniglot from image files of the official layout (for browsers, which fetch them; `loadOmniglot` reads
 * a folder). Files are put in index order whatever order they come in.
 */
export function omniglotFromFiles(files: readonly OmniglotFile[]): Omniglot {
  if (files.length === 0) throw new KshotError("omniglot: expected image files of the official layout, got none");
  const setOrder = (s: OmniglotSet): number => OMNIGLOT_SETS.indexOf(s);
  const entries = files.map((file) => ({ file, at: parsePath(file.path) }));
  entries.sort(
    (a, b) =>
      setOrder(a.at.set) - setOrder(b.at.set) ||
      byName(a.at.alphabet, b.at.alphabet) ||
      byName(a.at.character, b.at.character) ||
      byName(a.at.file, b.at.file),
  );
  const imageBytes = SIDE * SIDE;
  const bytes = new Uint8Array(entries.length * imageBytes);
  const characters: OmniglotCharacter[] = [];
  const first: number[] = [];
  const count: number[] = [];
  entries.forEach(({ file, at }, i) => {
    const last = characters[characters.length - 1];
    const same = last && last.set === at.set && last.alphabet === at.alphabet && last.name === at.character;
    if (!same) {
      characters.push({ set: at.set, alphabet: at.alphabet, name: at.character, id: at.id });
      first.push(i);
      count.push(0);
    } else if (last.id !== at.id) {
      throw new KshotError(`omniglot: ${file.path} has character number ${at.id}, its folder's other files ${last.id}`);
    }
    count[count.length - 1]!++;
    bytes.set(inkBytes(file), i * imageBytes);
  });
  return build(characters, { bytes, shape: [1, SIDE, SIDE], first: Int32Array.from(first), count: Int32Array.from(count) });
}

function join(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, "") : p)).join("/");
}

async function subfolders(path: string): Promise<string[]> {
  return (await listDirectory(path)).filter((e) => e.isDirectory).map((e) => e.name);
}

/** Every PNG of the official layout under `root` (which holds images_background and/or images_evaluation). */
async function readOfficialFolder(root: string): Promise<OmniglotFile[]> {
  const files: OmniglotFile[] = [];
  for (const setFolder of Object.keys(SET_FOLDERS)) {
    const setPath = join(root, setFolder);
    if (!(await fileExists(setPath))) continue;
    for (const alphabet of await subfolders(setPath)) {
      for (const character of await subfolders(join(setPath, alphabet))) {
        const dir = join(setPath, alphabet, character);
        const names = (await listDirectory(dir)).filter((e) => e.isFile && /\.png$/i.test(e.name));
        for (const { name } of names) {
          const path = join(dir, name);
          files.push({ path: join(setFolder, alphabet, character, name), bytes: await readFileBytes(path, { maxBytes: DEFAULT_IMAGE_LIMITS.maxBytes }) });
        }
      }
    }
  }
  return files;
}

/**
 * Loads Omniglot from a folder (Node and Deno): the compact pair `omniglot-28.bin` + `omniglot-28.json` when
 * present, else the official layout (`images_background/`, `images_evaluation/`, either or both).
 */
export async function loadOmniglot(path: string): Promise<Omniglot> {
  const bin = join(path, "omniglot-28.bin");
  const json = join(path, "omniglot-28.json");
  if ((await fileExists(bin)) && (await fileExists(json))) {
    const index = await readFileText(json, { maxBytes: MAX_INDEX_BYTES });
    const images = parseIndex(index).total_images; // read no more of the .bin than the index describes
    return omniglotFromCompact(await readFileBytes(bin, { maxBytes: images * SIDE * SIDE }), index);
  }
  const files = await readOfficialFolder(path);
  if (files.length === 0) {
    throw new KshotError(
      `omniglot: ${path} has neither omniglot-28.bin + omniglot-28.json nor images_background/ or images_evaluation/ with PNG files`,
    );
  }
  return omniglotFromFiles(files);
}
