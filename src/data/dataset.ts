/**
 * The common types of kshot's data: labelled image datasets held on the host, and class-indexed sources
 * that the episode sampler draws from. Images are NCHW float32 with ink = 1 on background = 0.
 */
import { KshotError } from "../errors.ts";

/** [channels, height, width] of one image. */
export type ImageShape = [number, number, number];

/** A labelled image dataset, materialised on the host. */
export interface ImageDataset {
  /** N × C × H × W values, ink = 1 on background = 0. */
  images: Float32Array;
  /** The class of each image, in [0, numClasses). */
  labels: Int32Array;
  numClasses: number;
  shape: ImageShape;
  /** A name per class, when the data has them (folder names, `Alphabet/characterNN`). */
  classNames?: string[];
}

/**
 * Class-indexed access to images: what the episode sampler needs. Materialised datasets, lazily rendered
 * glyphs, byte-backed Omniglot and rotated views all provide it, so none has to be copied into one buffer.
 */
export interface ClassSource {
  readonly numClasses: number;
  readonly shape: ImageShape;
  /**
   * True when the classes already include the four 90° rotations of each base class (the `vinyals` split):
   * the sampler refuses `augment: "rot90"` on such a source rather than rotate twice.
   */
  readonly rotated: boolean;
  /** How many examples class `c` has. */
  exampleCount(c: number): number;
  /** Writes example `e` of class `c` (C·H·W floats, ink = 1) into `out` starting at `offset`. */
  writeExample(c: number, e: number, out: Float32Array, offset: number): void;
  /** A readable name of class `c`. */
  className(c: number): string;
}

/** Number of values in one image of `shape`. */
export function imageSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

function checkShape(shape: readonly number[]): asserts shape is ImageShape {
  const ok = shape.length === 3 && shape.every((d) => Number.isInteger(d) && d > 0);
  if (!ok) {
    throw new KshotError(`image shape: expected [channels, height, width] of positive integers, got [${shape}]`);
  }
}

/** Validates the parts of a dataset and returns it: sizes agree, labels lie in [0, numClasses). */
export function imageDataset(parts: ImageDataset): ImageDataset {
  const { images, labels, numClasses, shape, classNames } = parts;
  checkShape(shape);
  const size = imageSize(shape);
  if (images.length !== labels.length * size) {
    throw new KshotError(
      `dataset: expected ${labels.length} images of ${size} values (${labels.length * size}), got ${images.length} values`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 0) {
    throw new KshotError(`dataset: expected a non-negative integer class count, got ${numClasses}`);
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= numClasses) {
      throw new KshotError(`dataset: label of image ${i} is ${label}, expected one in [0, ${numClasses})`);
    }
  }
  if (classNames !== undefined && classNames.length !== numClasses) {
    throw new KshotError(`dataset: expected ${numClasses} class names, got ${classNames.length}`);
  }
  return parts;
}

/** For each class, the indices of its examples in dataset order. */
export function classIndex(labels: Int32Array, numClasses: number): Int32Array[] {
  const counts = new Int32Array(numClasses);
  for (const label of labels) counts[label]!++;
  const index = Array.from(counts, (count) => new Int32Array(count));
  const filled = new Int32Array(numClasses);
  labels.forEach((label, i) => {
    index[label]![filled[label]!++] = i;
  });
  return index;
}

/** Checks a class and an example index against a source; used by every ClassSource implementation. */
export function checkExample(source: ClassSource, c: number, e: number): void {
  if (!Number.isInteger(c) || c < 0 || c >= source.numClasses) {
    throw new KshotError(`class index: expected an integer in [0, ${source.numClasses}), got ${c}`);
  }
  const count = source.exampleCount(c);
  if (!Number.isInteger(e) || e < 0 || e >= count) {
    throw new KshotError(`example index of class ${c}: expected an integer in [0, ${count}), got ${e}`);
  }
}

/** The class-indexed view of a materialised dataset (no copy of the images). */
export function datasetSource(dataset: ImageDataset): ClassSource {
  imageDataset(dataset);
  const index = classIndex(dataset.labels, dataset.numClasses);
  const size = imageSize(dataset.shape);
  const source: ClassSource = {
    numClasses: dataset.numClasses,
    shape: dataset.shape,
    rotated: false,
    exampleCount: (c) => index[c]?.length ?? 0,
    writeExample(c, e, out, offset) {
      checkExample(source, c, e);
      const start = index[c]![e]! * size;
      out.set(dataset.images.subarray(start, start + size), offset);
    },
    className: (c) => dataset.classNames?.[c] ?? `class ${c}`,
  };
  return source;
}

/**
 * Copies the given classes of a source (all of them by default) into one dataset, relabelled 0.. in the
 * order given.
 */
export function materialize(source: ClassSource, classes?: readonly number[]): ImageDataset {
  const chosen = classes ?? Array.from({ length: source.numClasses }, (_, c) => c);
  const size = imageSize(source.shape);
  let total = 0;
  for (const c of chosen) total += source.exampleCount(c);
  const images = new Float32Array(total * size);
  const labels = new Int32Array(total);
  let n = 0;
  chosen.forEach((c, label) => {
    for (let e = 0; e < source.exampleCount(c); e++, n++) {
      source.writeExample(c, e, images, n * size);
      labels[n] = label;
    }
  });
  const shape: ImageShape = [...source.shape];
  return { images, labels, numClasses: chosen.length, shape, classNames: chosen.map((c) => source.className(c)) };
}

/** A view of some classes of a source, renumbered 0.. in the order given. */
export function selectClasses(source: ClassSource, classes: readonly number[]): ClassSource {
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= source.numClasses) {
      throw new KshotError(`class selection: expected classes in [0, ${source.numClasses}), got ${c}`);
    }
  }
  const picked = Int32Array.from(classes);
  const view: ClassSource = {
    numClasses: picked.length,
    shape: source.shape,
    rotated: source.rotated,
    exampleCount: (c) => (c >= 0 && c < picked.length ? source.exampleCount(picked[c]!) : 0),
    writeExample(c, e, out, offset) {
      checkExample(view, c, e);
      source.writeExample(picked[c]!, e, out, offset);
    },
    className: (c) => source.className(picked[c]!),
  };
  return view;
}
