/**
 * `imagefolder`: users' own data, a folder with one subfolder per class holding PNG or JPEG images
 * (class names = subfolder names, sorted; images sorted by file name). Images are converted to 1 or 3
 * channels (RGB → gray with BT.601 luma weights, gray → RGB by repetition), resized to `size` by exact
 * area averaging (any ratio), scaled to [0, 1], and optionally inverted (`invert: true` for dark-on-light
 * data such as scans of handwriting, so that ink = 1 as in every kshot dataset).
 */
import { KshotError } from "../errors.ts";
import { listDirectory, readFileBytes } from "../io/files.ts";
import { type ImageDataset, datasetSource, imageDataset } from "./dataset.ts";
import { type PixelPlanes, decodeImage, grayPlane } from "./image-decode.ts";
import { type ImageLimits, imageLimits } from "./image-limits.ts";
import { areaSums } from "./resize.ts";
import { type ClassSplitOptions, type Split, splitClasses } from "./splits.ts";

export interface ImageFolderOptions {
  /** Output side (a square) or [height, width]; default 28. */
  size?: number | [number, number];
  /** Channels of the output: 1 (gray, the default) or 3 (RGB). */
  channels?: 1 | 3;
  /** Output 1 − value, for dark-on-light data (default false). */
  invert?: boolean;
  /** Most pixels per image and bytes per file, checked before decoding (defaults: DEFAULT_IMAGE_LIMITS). */
  limits?: ImageLimits;
}

/** One image of one class, for building a dataset from bytes (browsers fetch them). */
export interface ClassImage {
  className: string;
  /** For error messages. */
  name: string;
  bytes: Uint8Array;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** Most float32 values one dataset may hold (4 GiB). */
const MAX_DATASET_VALUES = 2 ** 30;

function outputSize(size: ImageFolderOptions["size"], maxPixels: number): [number, number] {
  const pair = typeof size === "number" ? [size, size] : (size ?? [28, 28]);
  const [height, width] = Array.isArray(pair) && pair.length === 2 ? pair : [NaN, NaN];
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new KshotError(`imagefolder: expected size to be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  if (height * width > maxPixels) throw new KshotError(`imagefolder: size ${height}×${width} has more than the ${maxPixels} pixels allowed (limits.maxPixels)`);
  return [height, width];
}

/** The planes an output with `channels` channels is made of. */
function channelPlanes(image: PixelPlanes, channels: 1 | 3): Uint16Array[] {
  if (channels === 1) return [grayPlane(image)];
  const [r, g, b] = image.planes;
  return g && b ? [r!, g, b] : [r!, r!, r!];
}

/** Writes one image, resized and scaled to [0, 1], into `out` at `offset` (CHW). */
function writeImage(
  image: PixelPlanes,
  options: Required<ImageFolderOptions>,
  [height, width]: [number, number],
  out: Float32Array,
  offset: number,
): void {
  const scale = 1 / (image.width * image.height * image.maxValue);
  channelPlanes(image, options.channels).forEach((plane, ch) => {
    const sums = areaSums(plane, image.width, image.height, width, height);
    const base = offset + ch * height * width;
    for (let i = 0; i < sums.length; i++) {
      const value = sums[i]! * scale;
      out[base + i] = options.invert ? 1 - value : value;
    }
  });
}

/** A dataset from images given as bytes with their class names (classes sorted by name). */
export function imageFolderFromImages(images: readonly ClassImage[], options: ImageFolderOptions = {}): ImageDataset {
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) {
    throw new KshotError(`imagefolder: expected channels 1 or 3, got ${String(channels)}`);
  }
  const limits = imageLimits(options.limits);
  const [height, width] = outputSize(options.size, limits.maxPixels);
  const full: Required<ImageFolderOptions> = { size: [height, width], channels, invert: options.invert ?? false, limits };
  if (images.length === 0) throw new KshotError("imagefolder: expected at least one image, got none");
  if (images.length * channels * height * width > MAX_DATASET_VALUES) {
    throw new KshotError(`imagefolder: ${images.length} images of ${channels}×${height}×${width} exceed the ${MAX_DATASET_VALUES} values one dataset may hold`);
  }
  const classNames = [...new Set(images.map((i) => i.className))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classOf = new Map(classNames.map((name, c) => [name, c]));
  const size = channels * height * width;
  const data = new Float32Array(images.length * size);
  const labels = new Int32Array(images.length);
  images.forEach((image, n) => {
    writeImage(decodeImage(image.bytes, image.name, full.limits), full, [height, width], data, n * size);
    labels[n] = classOf.get(image.className)!;
  });
  return imageDataset({ images: data, labels, numClasses: classNames.length, shape: [channels, height, width], classNames });
}

/**
 * Loads a folder of class subfolders of PNG/JPEG images (Node and Deno). Files of other types are ignored;
 * a class folder without images is an error (it could never be sampled).
 */
export async function loadImageFolder(path: string, options: ImageFolderOptions = {}): Promise<ImageDataset> {
  const root = path.replace(/[\\/]+$/, "");
  const classFolders = (await listDirectory(root)).filter((e) => e.isDirectory);
  if (classFolders.length === 0) {
    throw new KshotError(`imagefolder: expected class subfolders in ${path}, found none`);
  }
  const { maxBytes } = imageLimits(options.limits);
  const images: ClassImage[] = [];
  for (const { name: className } of classFolders) {
    const dir = `${root}/${className}`;
    // Regular files only: a FIFO named x.png would block the read forever.
    const files = (await listDirectory(dir)).filter((e) => e.isFile && IMAGE_FILE.test(e.name));
    if (files.length === 0) throw new KshotError(`imagefolder: class folder ${dir} has no .png/.jpg/.jpeg images`);
    for (const file of files) {
      const name = `${dir}/${file.name}`;
      images.push({ className, name, bytes: await readFileBytes(name, { maxBytes }) });
    }
  }
  return imageFolderFromImages(images, options);
}

const PART_FOLDERS = { train: ["train"], validation: ["val", "valid", "validation"], test: ["test"] } as const;

/**
 * An image folder as a split. When `path` has `train/` and `test/` subfolders (and optionally `val/`,
 * `valid/` or `validation/`), each holds the class folders of its part (no validation part: the training
 * classes are split by `splitClasses` options). Otherwise the classes of `path` are split at random (seeded)
 * with `splitClasses`.
 */
export async function loadImageFolderSplit(
  path: string,
  options: ImageFolderOptions = {},
  classSplit: ClassSplitOptions = {},
): Promise<Split> {
  const root = path.replace(/[\\/]+$/, "");
  const folders = new Set((await listDirectory(root)).filter((e) => e.isDirectory).map((e) => e.name));
  const find = (names: readonly string[]): string | undefined => names.find((n) => folders.has(n));
  const trainFolder = find(PART_FOLDERS.train);
  const testFolder = find(PART_FOLDERS.test);
  if (!trainFolder || !testFolder) {
    return splitClasses(datasetSource(await loadImageFolder(root, options)), classSplit, "imagefolder");
  }
  const validationFolder = find(PART_FOLDERS.validation);
  const load = async (folder: string) => datasetSource(await loadImageFolder(`${root}/${folder}`, options));
  const test = await load(testFolder);
  if (validationFolder) {
    return { name: "imagefolder", train: await load(trainFolder), validation: await load(validationFolder), test, defaultAugment: "none" };
  }
  const trainAll = await load(trainFolder);
  const inner = splitClasses(trainAll, { ...classSplit, test: 0 }, "imagefolder");
  return { ...inner, test };
}
