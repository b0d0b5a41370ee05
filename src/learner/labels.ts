/** The labels `Learner.adapt` takes: integers 0..N−1, one per example, every class present. */
import { KshotError } from "../errors.ts";

/** The labels as Int32Array and N, after checking them against `examples` (the number of support images). */
export function checkLabels(labels: ArrayLike<number>, examples: number): { labels: Int32Array; ways: number } {
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    throw new KshotError(`adapt: expected labels as an array of class indices, got ${labels === null ? "null" : typeof labels}`);
  }
  if (labels.length !== examples) throw new KshotError(`adapt: expected one label per example (${examples}), got ${labels.length} labels`);
  const out = new Int32Array(labels.length);
  let ways = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0) throw new KshotError(`adapt: expected labels to be integers 0..N−1, got ${v} at ${i}`);
    // Every class needs an example, so N ≤ the number of examples: a larger label can never be valid.
    if (v >= labels.length) throw new KshotError(`adapt: expected labels 0..N−1 with every class present, so at most ${labels.length - 1} for ${labels.length} examples; got ${v} at ${i}`);
    out[i] = v;
    ways = Math.max(ways, v + 1);
  }
  const seen = new Set(out);
  const missing = Array.from({ length: ways }, (_, c) => c).filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw new KshotError(`adapt: labels must name classes 0..N−1 with every class present; labels go up to ${ways - 1} but class ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? "…" : ""} has no example`);
  }
  if (ways < 2) throw new KshotError(`adapt: expected examples of at least 2 classes, got only class 0`);
  return { labels: out, ways };
}
