/**
 * Datasets by name for the command line: `glyphs` (built in), `omniglot` (compact file pair or the
 * official PNG folders), `imagefolder` (class subfolders of images), `sinusoid` (MAML §5.1); their splits,
 * and the task samplers drawn from each part.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { glyphs } from "../data/glyphs.ts";
import { loadImageFolderSplit } from "../data/imagefolder.ts";
import { loadOmniglot } from "../data/omniglot.ts";
import { type DomainShift, describeShift, shiftedSource } from "../data/shift.ts";
import { sinusoid } from "../data/sinusoid.ts";
import { omniglotSplit, OMNIGLOT_SPLITS, type Split } from "../data/splits.ts";
import { type Augmentation, tasks } from "../data/tasks.ts";
import { KshotError } from "../errors.ts";
import type { Rng } from "../rng.ts";
import type { TaskSource } from "../train/batches.ts";
import type { DatasetKind } from "./defaults.ts";
import { datasetFolder } from "./data-cache.ts";

export const DATASETS = ["glyphs", "omniglot", "imagefolder", "sinusoid"] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface OpenedData {
  name: DatasetName;
  kind: DatasetKind;
  /** The split's name: `glyphs`, `lake`, `vinyals`, `imagefolder`, `sinusoid`. */
  split: string;
  /** The folder read, as an absolute path (omniglot, imagefolder). */
  path?: string;
  /** Class split of image data. */
  parts?: Split;
  /** The images' domain shift (`kshot eval --shift`), where there is one. */
  shift?: DomainShift;
}

/** The data with every image shifted (`kshot eval --shift`). */
export function shiftedData(data: OpenedData, shift: DomainShift): OpenedData {
  const p = data.parts;
  if (!p) throw new KshotError(`--shift changes images; ${data.name} has none`);
  const parts = { ...p, train: shiftedSource(p.train, shift), validation: shiftedSource(p.validation, shift), test: shiftedSource(p.test, shift) };
  return { ...data, parts, shift };
}

export type Part = "train" | "validation" | "test";

export function checkDatasetName(name: string): DatasetName {
  if (!(DATASETS as readonly string[]).includes(name)) {
    throw new KshotError(`unknown dataset ${JSON.stringify(name)} (expected one of ${DATASETS.join(", ")})`);
  }
  return name as DatasetName;
}

function onlySplit(dataset: string, split: string | undefined, allowed: readonly string[]): string {
  const name = split ?? allowed[0]!;
  if (!allowed.includes(name)) throw new KshotError(`--split ${split} does not apply to ${dataset} (expected ${allowed.join(" or ")})`);
  return name;
}

/** Opens a dataset and its split. */
export async function openData(
  dataset: string,
  options: { data?: string; split?: string; env: Readonly<Record<string, string | undefined>> },
): Promise<OpenedData> {
  const name = checkDatasetName(dataset);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(p));
  switch (name) {
    case "sinusoid":
      return { name, kind: "sinusoid", split: onlySplit(name, options.split, ["sinusoid"]) };
    case "glyphs":
      return { name, kind: "images", split: onlySplit(name, options.split, ["glyphs"]), parts: glyphs() };
    case "omniglot": {
      const split = onlySplit(name, options.split, OMNIGLOT_SPLITS);
      const path = options.data ? abs(options.data) : datasetFolder(options.env, "omniglot");
      if (!existsSync(path)) {
        throw new KshotError(
          options.data
            ? `omniglot: ${path} does not exist (expected a folder with omniglot-28.bin + .json, or images_background/ and images_evaluation/)`
            : `omniglot: not downloaded yet (looked in ${path}); fetch it with \`kshot data omniglot\`, or pass --data PATH`,
        );
      }
      return { name, kind: "images", split, path, parts: omniglotSplit(await loadOmniglot(path), split as "lake" | "vinyals") };
    }
    case "imagefolder": {
      if (!options.data) throw new KshotError("imagefolder: pass --data PATH, a folder of class subfolders of PNG/JPEG images (or with train/ and test/ folders of them)");
      const path = abs(options.data);
      if (!existsSync(path)) throw new KshotError(`imagefolder: ${path} does not exist`);
      const split = onlySplit(name, options.split, ["imagefolder"]);
      return { name, kind: "images", split, path, parts: await loadImageFolderSplit(path) };
    }
  }
}

export interface EpisodeShape {
  ways: number;
  shots: number;
  queries: number;
}

/** A task sampler over one part of the data. */
export function taskSource(data: OpenedData, part: Part, shape: EpisodeShape, rng: Rng, augment: Augmentation = "none"): TaskSource {
  if (data.kind === "sinusoid") return sinusoid({ shots: shape.shots, queries: shape.queries, rng });
  const source = data.parts![part];
  try {
    return tasks(source, { ...shape, augment, rng });
  } catch (err) {
    if (err instanceof KshotError) throw new KshotError(`${data.name} (${data.split} split, ${part} part): ${err.message}`);
    throw err;
  }
}

/** The data in words, for every summary: `omniglot, lake split, from /path` or `glyphs (built in)`. */
export function describeData(data: OpenedData): string {
  if (data.shift) return `${describeData({ ...data, shift: undefined })}, shifted (${describeShift(data.shift)})`;
  if (!data.path) return data.split === data.name ? `${data.name} (built in)` : `${data.name}, ${data.split} split`;
  return data.split === data.name ? `${data.name} from ${data.path}` : `${data.name}, ${data.split} split, from ${data.path}`;
}

/** The image shape of the data, [channels, height, width]. */
export function imageShape(data: OpenedData): [number, number, number] {
  const shape = data.parts!.train.shape;
  if (shape[1] !== shape[2]) throw new KshotError(`conv4 takes square images; ${data.name} has ${shape[1]}×${shape[2]}`);
  return shape;
}
