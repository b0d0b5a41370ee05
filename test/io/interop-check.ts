// The comparison of one fixture: tools/pytorch's files, checked by kshot. Shared by
// checkpoint-pytorch.test.ts (the committed fixtures) and pytorch-tools.node.test.ts (freshly made ones).
import { expect } from "vitest";
import * as ks from "../../src/index.ts";
import { parseSafetensors, type SafetensorsEntry } from "../../src/io/safetensors.ts";

/** PyTorch computed every expected value in float64 from the float32 checkpoint. */
export const TOLERANCE = 1e-4;

/** Reads a fixture file by name (`pytorch-maml.safetensors`). */
export type FixtureReader = (file: string) => Promise<Uint8Array>;

function worstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

/**
 * Loads `<name>.safetensors` into a Learner, adapts on the support set of `<name>.expected.safetensors`,
 * predicts its queries and compares the support loss, the probabilities and (MAML) the adapted weights.
 */
export async function adaptAndCompare(read: FixtureReader, name: string): Promise<ks.Learner> {
  const checkpoint = await read(`${name}.safetensors`);
  const { tensors } = parseSafetensors(await read(`${name}.expected.safetensors`), `${name}.expected`);
  const get = (key: string): SafetensorsEntry => {
    const t = tensors.get(key);
    if (!t) throw new Error(`${name}.expected lacks ${key}`);
    return t;
  };
  const learner = await ks.Learner.load(checkpoint);
  expect(parseSafetensors(checkpoint).metadata.format).toBe(ks.io.CHECKPOINT_FORMAT);
  const x = get("support.x");
  const q = get("query.x");
  const support = ks.tensor(x.data as Float32Array, x.shape);
  const query = ks.tensor(q.data as Float32Array, q.shape);
  try {
    const adaptation = await learner.adapt(support, get("support.y").data as Int32Array);
    expect(Math.abs(adaptation.loss - (get("expected.loss").data as Float64Array)[0]!), "support loss").toBeLessThanOrEqual(TOLERANCE);
    // Labels 0..N−1 were given as numbers: class i's probability is keyed "i".
    const ways = get("expected.probabilities").shape[1]!;
    const predictions = await learner.predict(query);
    const flat = Float64Array.from(predictions.flatMap((p) => Array.from({ length: ways }, (_, i) => p.probabilities[String(i)]!)));
    expect(worstDifference(flat, get("expected.probabilities").data as Float64Array), "probabilities").toBeLessThanOrEqual(TOLERANCE);
    const adapted = [...tensors.keys()].filter((k) => k.startsWith("expected.adapted."));
    if (adapted.length > 0) {
      // The adapted weights, as the learner saves them (`learner.weights.<name>`, with a task axis of 1).
      const saved = parseSafetensors(await learner.save()).tensors;
      for (const key of adapted) {
        const param = key.slice("expected.adapted.".length);
        const mine = saved.get(`learner.weights.${param}`);
        expect(mine, `adapted ${param} saved`).toBeDefined();
        expect(worstDifference(mine!.data as Float32Array, get(key).data as Float64Array), `adapted ${param}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  } finally {
    support.dispose();
    query.dispose();
  }
  return learner;
}
