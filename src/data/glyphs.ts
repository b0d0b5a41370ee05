/**
 * `glyphs`: kshot's built-in dataset of procedurally generated handwritten-like characters (28×28 by
 * default, ink = 1). Each class is a few random pen strokes; each example redraws them with jitter, like
 * another person writing the same character (see glyph-strokes.ts). Everything derives from the seed with
 * IEEE-exact arithmetic (+ − × ÷ √), so a seed gives the same bytes on every engine, and nothing is stored:
 * a class is rendered (all its examples at once) the first time it is asked for, then kept.
 *
 * Default: 2000 classes of 20 examples; classes 0–1499 train, 1500–1599 validate, 1600–1999 test.
 */
import { KshotError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { writeInk } from "./byte-images.ts";
import { type ClassSource, checkExample } from "./dataset.ts";
import { renderStrokes } from "./glyph-raster.ts";
import { DEFAULT_JITTER, type JitterOptions, exampleTransform, jitteredStrokes, randomGlyph } from "./glyph-strokes.ts";
import { type Split, selectRange } from "./splits.ts";

export interface GlyphOptions {
  /** Default 0. */
  seed?: number;
  /** Classes in the train, validation and test parts (defaults 1500, 100, 400). */
  trainClasses?: number;
  validationClasses?: number;
  testClasses?: number;
  /** Examples per class (default 20, as Omniglot). */
  examplesPerClass?: number;
  /** Image side in pixels (default 28). */
  size?: number;
  /** Per-example variation (default DEFAULT_JITTER). */
  jitter?: Partial<JitterOptions>;
}

function positiveInteger(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new KshotError(`glyphs: expected ${name} to be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Renders `examples` examples of glyph class `c` of `seed` as ink bytes (examples × size × size, 255 =
 * full ink). Class c depends only on (seed, c), example e only on (seed, c, e).
 */
export function renderGlyphClass(
  seed: number,
  c: number,
  examples: number,
  size = 28,
  jitter: JitterOptions = DEFAULT_JITTER,
): Uint8Array {
  const classRng = new Rng(seed).fork(c);
  const glyph = randomGlyph(classRng.fork("strokes"));
  const out = new Uint8Array(examples * size * size);
  for (let e = 0; e < examples; e++) {
    const rng = classRng.fork(e);
    const transform = exampleTransform(rng, jitter, size);
    const strokes = jitteredStrokes(rng, glyph, jitter, transform);
    const halfWidth = (glyph.halfWidth * rng.uniformRange(...jitter.width) * size) / 28;
    renderStrokes(strokes, halfWidth, size, out, e * size * size);
  }
  return out;
}

/** All glyph classes of a seed as one class source, rendered lazily and kept. */
export function glyphSource(options: GlyphOptions = {}): ClassSource {
  const seed = options.seed ?? 0;
  const classes = positiveInteger(
    "the number of classes",
    (options.trainClasses ?? 1500) + (options.validationClasses ?? 100) + (options.testClasses ?? 400),
  );
  const examples = positiveInteger("examplesPerClass", options.examplesPerClass ?? 20);
  const size = positiveInteger("size", options.size ?? 28, 8);
  const jitter: JitterOptions = { ...DEFAULT_JITTER, ...options.jitter };
  const pixels = size * size;
  const rendered = new Map<number, Uint8Array>();
  const source: ClassSource = {
    numClasses: classes,
    shape: [1, size, size],
    rotated: false,
    exampleCount: (c) => (Number.isInteger(c) && c >= 0 && c < classes ? examples : 0),
    writeExample(c, e, out, offset) {
      checkExample(source, c, e);
      let bytes = rendered.get(c);
      if (!bytes) {
        bytes = renderGlyphClass(seed, c, examples, size, jitter);
        rendered.set(c, bytes);
      }
      writeInk(bytes, e * pixels, pixels, out, offset);
    },
    className: (c) => `glyph ${c}`,
  };
  return source;
}

/** The glyph classes split by class into train, validation and test parts. */
export function glyphs(options: GlyphOptions = {}): Split {
  const train = positiveInteger("trainClasses", options.trainClasses ?? 1500);
  const validation = positiveInteger("validationClasses", options.validationClasses ?? 100);
  const test = positiveInteger("testClasses", options.testClasses ?? 400);
  const all = glyphSource(options);
  return {
    name: "glyphs",
    train: selectRange(all, 0, train),
    validation: selectRange(all, train, train + validation),
    test: selectRange(all, train + validation, train + validation + test),
    defaultAugment: "none",
  };
}
