/**
 * The labels `Learner.adapt` takes and `predict` gives back: class names (any strings) or integer class
 * ids, one per example. The model sees class indices 0..N−1: names in the order they first appear, ids
 * in increasing order (so labels 0..N−1 are their own indices).
 */
import { KshotError } from "../errors.ts";

/** A class as the user names it. */
export type ClassLabel = string | number;

export interface TaskLabels {
  /** The class index (0..N−1) of each example. */
  indices: Int32Array;
  /** The label of each class index: `classes[i]` is class i's label; N = classes.length. */
  classes: ClassLabel[];
}

function what(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : typeof v === "number" ? String(v) : v === null ? "null" : typeof v;
}

/** Checks one label; all labels must be of the kind of the first. */
function checkLabel(v: unknown, i: number, kind: "string" | "number"): ClassLabel {
  if (kind === "string" && typeof v === "string") return v;
  if (kind === "number" && typeof v === "number" && Number.isSafeInteger(v)) return v;
  const expected = kind === "string" ? "class names (strings) throughout, as label 0 is one" : "integer class ids throughout, as label 0 is one";
  throw new KshotError(`adapt: expected labels to be ${expected}; got ${what(v)} at ${i}`);
}

/** The classes of `labels` and each example's class index, after checking them against `examples` (the number of support images). */
export function taskLabels(labels: ArrayLike<ClassLabel>, examples: number): TaskLabels {
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    throw new KshotError(`adapt: expected labels as an array of class names (strings) or integer class ids, one per example, got ${labels === null ? "null" : typeof labels}`);
  }
  if (labels.length !== examples) throw new KshotError(`adapt: expected one label per example (${examples}), got ${labels.length} labels`);
  const first = labels[0];
  const kind = typeof first === "string" ? "string" : "number";
  const checked = Array.from({ length: labels.length }, (_, i) => checkLabel(labels[i], i, kind));
  const distinct = [...new Set(checked)];
  if (kind === "number") (distinct as number[]).sort((a, b) => a - b);
  if (distinct.length < 2) throw new KshotError(`adapt: expected examples of at least 2 classes, got only class ${what(distinct[0])}`);
  const index = new Map(distinct.map((c, i) => [c, i]));
  return { indices: Int32Array.from(checked, (c) => index.get(c)!), classes: distinct };
}

/** Each example's class index among `classes` (an adapted task's), for examples added to it; every label must be one of them. */
export function knownLabels(labels: ArrayLike<ClassLabel>, classes: readonly ClassLabel[], examples: number): Int32Array {
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number" || labels.length !== examples) {
    throw new KshotError(`adapt: expected one label per example (${examples}), got ${labels === null || typeof labels !== "object" ? String(labels) : `${labels.length} labels`}`);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from({ length: examples }, (_, i) => {
    const c = index.get(labels[i]!);
    if (c === undefined) throw new KshotError(`adapt: accumulate adds examples of the adapted task's classes (${classes.map(what).join(", ")}); got ${what(labels[i])} at ${i}`);
    return c;
  });
}

/** Class labels read back from a saved learner: N distinct strings or N distinct integers. */
export function checkClasses(value: unknown, ways: number, source: string): ClassLabel[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [];
  const kind = typeof list[0] === "string" ? "string" : "number";
  const valid = list.length === ways && list.every((v) => (kind === "string" ? typeof v === "string" : Number.isSafeInteger(v))) && new Set(list).size === ways;
  if (!valid) throw new KshotError(`${source}: expected ${ways} distinct class labels (strings or integers), found ${JSON.stringify(value)?.slice(0, 80)}`);
  return list as ClassLabel[];
}
