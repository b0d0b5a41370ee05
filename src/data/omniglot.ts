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

interface CompactIndex {
  width: number;
  height: number;
  channels?: number;
  total_images: number;
  sets: { name: string; alphabets: { name: string; characters: { name: string; id: number; offset: number; count: number }[] }[] }[];
}

function parseIndex(index: unknown): CompactIndex {
  const value = typeof index === "string" ? (JSON.parse(index) as unknown) : index;
  const ok =
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as CompactIndex).sets) &&
    Number.isInteger((value as CompactIndex).total_images);
  if (!ok) throw new KshotError("omniglot index: expected the omniglot-28.json object with `sets` and `total_images`");
  const parsed = value as CompactIndex;
  if (parsed.width !== SIDE || parsed.height !== SIDE || (parsed.channels ?? 1) !== 1) {
    throw new KshotError(
      `omniglot index: expected 28×28 single-channel images, got ${parsed.width}×${parsed.height}×${parsed.channels}`,
    );
  }
  return parsed;
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
  const first: number[] = [];
  const count: number[] = [];
  for (const set of parsed.sets) {
    if (!OMNIGLOT_SETS.includes(set.name as OmniglotSet)) {
      throw new KshotError(`omniglot index: expected sets "background" and "evaluation", got "${set.name}"`);
    }
    for (const alphabet of set.alphabets) {
      for (const ch of alphabet.characters) {
        const inside = Number.isInteger(ch.offset) && Number.isInteger(ch.count) && ch.offset >= 0 && ch.count > 0;
        if (!inside || ch.offset + ch.count > parsed.total_images) {
          throw new KshotError(
            `omniglot index: ${alphabet.name}/${ch.name} has images ${ch.offset}..${ch.offset + ch.count - 1}, outside 0..${parsed.total_images - 1}`,
          );
        }
        characters.push({ set: set.name as OmniglotSet, alphabet: alphabet.name, name: ch.name, id: ch.id });
        first.push(ch.offset);
        count.push(ch.count);
      }
    }
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = 255 - bin[i]!; // paper = 255 → ink = 255
  return build(characters, {
    bytes,
    shape: [1, SIDE, SIDE],
    first: Int32Array.from(first),
    count: Int32Array.from(count),
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
        const names = (await listDirectory(dir)).filter((e) => !e.isDirectory && /\.png$/i.test(e.name));
        for (const { name } of names) {
          const path = join(dir, name);
          files.push({ path: join(setFolder, alphabet, character, name), bytes: await readFileBytes(path) });
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
    return omniglotFromCompact(await readFileBytes(bin), await readFileText(json));
  }
  const files = await readOfficialFolder(path);
  if (files.length === 0) {
    throw new KshotError(
      `omniglot: ${path} has neither omniglot-28.bin + omniglot-28.json nor images_background/ or images_evaluation/ with PNG files`,
    );
  }
  return omniglotFromFiles(files);
}
