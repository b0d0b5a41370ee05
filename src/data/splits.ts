/**
 * Class splits: which classes meta-train, which validate, which test. Parts never share a class.
 *
 * Omniglot:
 * - `lake` (Lake et al. 2015): meta-train on the 30 background alphabets, test on the 20 evaluation
 *   alphabets, unrotated. Validation holds back the LAST character (by folder name) of every background
 *   alphabet: 30 characters, enough for 20-way checks, leaving 934 for training. Training uses rot90 class
 *   augmentation by default (`defaultAugment`), as kshot's PyTorch comparison does.
 * - `vinyals` (Vinyals et al. 2016; MAML, ProtoNets): all 1623 characters in index order, the first 1028
 *   train, the next 172 validate, the remaining 423 test; every character rotated 0/90/180/270° into 4
 *   classes in every part (so the parts are marked `rotated` and no further rot90 augmentation applies).
 */
import { KshotError } from "../errors.ts";
import { type ClassSource, selectClasses } from "./dataset.ts";
import { Rng } from "../rng.ts";
import type { Omniglot } from "./omniglot.ts";
import { rot90Classes } from "./rotation.ts";
import type { Augmentation } from "./tasks.ts";

export interface Split {
  name: string;
  train: ClassSource;
  validation: ClassSource;
  test: ClassSource;
  /** The augmentation training should use unless told otherwise. */
  defaultAugment: Augmentation;
}

export type OmniglotSplitName = "lake" | "vinyals";
export const OMNIGLOT_SPLITS: readonly OmniglotSplitName[] = ["lake", "vinyals"];

/** Character counts of the `vinyals` split: train, validation, test. */
export const VINYALS_COUNTS = [1028, 172, 423] as const;

/** Classes start..end−1 of a source, renumbered from 0. */
export function selectRange(source: ClassSource, start: number, end: number): ClassSource {
  return selectClasses(source, Array.from({ length: end - start }, (_, i) => start + i));
}

function lakeSplit(omniglot: Omniglot): Split {
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  omniglot.characters.forEach((ch, i) => {
    if (ch.set === "evaluation") {
      test.push(i);
      return;
    }
    const next = omniglot.characters[i + 1];
    const lastOfAlphabet = !next || next.set !== ch.set || next.alphabet !== ch.alphabet;
    (lastOfAlphabet ? validation : train).push(i);
  });
  const { source } = omniglot;
  return {
    name: "lake",
    train: selectClasses(source, train),
    validation: selectClasses(source, validation),
    test: selectClasses(source, test),
    defaultAugment: "rot90",
  };
}

function vinyalsSplit(omniglot: Omniglot): Split {
  const [nTrain, nValidation, nTest] = VINYALS_COUNTS;
  const total = nTrain + nValidation + nTest;
  if (omniglot.characters.length !== total) {
    throw new KshotError(
      `vinyals split: expected the ${total} characters of the full Omniglot, got ${omniglot.characters.length}`,
    );
  }
  const part = (start: number, end: number): ClassSource => rot90Classes(selectRange(omniglot.source, start, end));
  return {
    name: "vinyals",
    train: part(0, nTrain),
    validation: part(nTrain, nTrain + nValidation),
    test: part(nTrain + nValidation, total),
    defaultAugment: "none",
  };
}

/** The named split of Omniglot's characters. */
export function omniglotSplit(omniglot: Omniglot, name: OmniglotSplitName = "lake"): Split {
  if (name === "lake") return lakeSplit(omniglot);
  if (name === "vinyals") return vinyalsSplit(omniglot);
  throw new KshotError(`omniglot split: expected one of ${OMNIGLOT_SPLITS.join(", ")}, got ${JSON.stringify(name)}`);
}

export interface ClassSplitOptions {
  /** Fractions of the classes for validation and test (defaults 0.1 and 0.2); the rest trains. A non-zero fraction gets at least one class. */
  validation?: number;
  test?: number;
  /** Seed of the shuffle that assigns classes to parts (default 0). */
  seed?: number;
}

/**
 * Splits a source's classes at random (seeded) into train, validation and test parts, for data that comes
 * without a split.
 */
export function splitClasses(source: ClassSource, options: ClassSplitOptions = {}, name = "random"): Split {
  const { validation = 0.1, test = 0.2, seed = 0 } = options;
  const ok = (f: number): boolean => Number.isFinite(f) && f >= 0 && f < 1;
  if (!ok(validation) || !ok(test) || validation + test >= 1) {
    throw new KshotError(`class split: expected fractions in [0, 1) with validation + test < 1, got ${validation} and ${test}`);
  }
  const n = source.numClasses;
  const count = (fraction: number): number => (fraction === 0 ? 0 : Math.max(1, Math.round(n * fraction)));
  const nTest = count(test);
  const nValidation = count(validation);
  if (nTest + nValidation >= n) {
    throw new KshotError(`class split: ${n} classes leave none to train on with ${nValidation} validation and ${nTest} test classes`);
  }
  const order = Array.from(new Rng(seed).permutation(n));
  const nTrain = n - nValidation - nTest;
  const part = (start: number, end: number): ClassSource => selectClasses(source, order.slice(start, end).sort((a, b) => a - b));
  return {
    name,
    train: part(0, nTrain),
    validation: part(nTrain, nTrain + nValidation),
    test: part(nTrain + nValidation, n),
    defaultAugment: "none",
  };
}
