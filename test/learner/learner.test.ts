import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { accuracyOf, glyphTask, learnerBackend, tinyCheckpoint } from "./fixtures.ts";

const task = () => glyphTask(5, 5, 6);
const rowSums = (rows: Float32Array[]) => rows.map((r) => r.reduce((a, b) => a + b, 0));

async function paramValues(bytes: Uint8Array): Promise<Record<string, number[]>> {
  const c = await ks.io.load(bytes);
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(c.params)) out[k] = Array.from(await t.data());
  for (const t of [...Object.values(c.params), ...Object.values(c.optimizer ?? {})]) t.dispose();
  return out;
}

describe("Learner", () => {
  let protonet: Uint8Array;
  let maml: Uint8Array;
  beforeAll(async () => {
    await learnerBackend();
    protonet = await tinyCheckpoint("protonet", { iterations: 40 });
    maml = await tinyCheckpoint("maml", { iterations: 80, evaluation: { steps: 10, lr: 0.4 } });
  });

  it("protonet: adapts on five glyph classes and classifies their queries; probabilities sum to 1", async () => {
    const t = task();
    const learner = await ks.Learner.load(protonet);
    expect(learner.algorithm).toBe("protonet");
    expect(learner.inputShape).toEqual([1, 28, 28]);
    expect(learner.ways).toBeUndefined();
    const a = await learner.adapt(t.support, t.supportLabels);
    expect(a).toMatchObject({ steps: 0, ways: 5 });
    expect(learner.ways).toBe(5);
    const p = await learner.predict(t.query);
    expect(p.probabilities).toHaveLength(t.query.length);
    for (const s of rowSums(p.probabilities)) expect(s).toBeCloseTo(1, 5);
    expect(accuracyOf(p.labels, t.queryLabels)).toBeGreaterThanOrEqual(0.8);
    learner.dispose();
  });

  it("maml: inner steps from the checkpoint's evaluation protocol, then classifies the queries", async () => {
    const learner = await ks.Learner.load(maml);
    const accuracies: number[] = [];
    for (const first of [0, 5, 10]) {
      const t = glyphTask(5, 5, 6, first);
      const unadapted = await learner.adapt(t.support, t.supportLabels, { steps: 0 });
      const a = await learner.adapt(t.support, t.supportLabels);
      expect(a.steps).toBe(10);
      expect(a.loss!).toBeLessThan(unadapted.loss!);
      accuracies.push(accuracyOf((await learner.predict(t.query)).labels, t.queryLabels));
    }
    expect(accuracies.reduce((x, y) => x + y) / accuracies.length).toBeGreaterThanOrEqual(0.7);
    learner.dispose();
  });

  for (const name of ["protonet", "maml"] as const) {
    it(`${name}: one example predicts as its row in a batch (the support set's BatchNorm statistics)`, async () => {
      const t = task();
      const learner = await ks.Learner.load(name === "protonet" ? protonet : maml);
      await learner.adapt(t.support, t.supportLabels);
      const batch = await learner.predict(t.query);
      for (const i of [0, 7, t.query.length - 1]) {
        const one = await learner.predict(t.query[i]!);
        expect(one.probabilities).toHaveLength(1);
        expect(one.labels[0]).toBe(batch.labels[i]);
        one.probabilities[0]!.forEach((v, k) => expect(Math.abs(v - batch.probabilities[i]![k]!)).toBeLessThan(1e-5));
      }
      learner.dispose();
    });
  }

  it("reset() returns to the loaded meta-parameters: nothing adaptation did remains", async () => {
    const t = task();
    const learner = await ks.Learner.load(maml);
    const loaded = await paramValues(await learner.save());
    expect(loaded).toEqual(await paramValues(maml));
    const first = await learner.predict(t.query).catch((e: Error) => e);
    expect(first).toBeInstanceOf(ks.KshotError);
    await learner.adapt(t.support, t.supportLabels, { steps: 5 });
    const before = await learner.predict(t.query);
    learner.reset();
    expect(learner.ways).toBeUndefined();
    expect(await paramValues(await learner.save())).toEqual(loaded);
    await learner.adapt(t.support, t.supportLabels, { steps: 5 });
    expect((await learner.predict(t.query)).probabilities).toEqual(before.probabilities);
    learner.dispose();
  });

  for (const name of ["protonet", "maml"] as const) {
    it(`${name}: Learner.load(await save()) predicts exactly as the adapted learner`, async () => {
      const t = task();
      const learner = await ks.Learner.load(name === "protonet" ? protonet : maml);
      await learner.adapt(t.support, t.supportLabels);
      const expected = await learner.predict(t.query);
      const copy = await ks.Learner.load(await learner.save());
      expect(copy.ways).toBe(5);
      expect((await copy.predict(t.query)).probabilities).toEqual(expected.probabilities);
      expect(copy.metadata.extra?.learner).toBeUndefined();
      copy.reset();
      expect(copy.ways).toBeUndefined();
      learner.dispose();
      copy.dispose();
    });
  }

  it("memory stays flat over 20 adapt/predict/reset cycles and returns to its start after dispose", async () => {
    const t = glyphTask(5, 1, 2);
    const start = ks.memory();
    const learner = await ks.Learner.load(maml);
    const seen: { tensors: number; bytes: number }[] = [];
    for (let i = 0; i < 20; i++) {
      await learner.adapt(t.support, t.supportLabels, { steps: 2 });
      await learner.predict(t.query);
      await learner.save();
      learner.reset();
      seen.push(ks.memory());
    }
    for (const m of seen) expect(m).toEqual(seen[0]);
    learner.dispose();
    expect(ks.memory()).toEqual(start);
  });

  it("adapt and predict take tensors already in the model's shape", async () => {
    const t = task();
    const learner = await ks.Learner.load(protonet);
    const stack = (images: ks.RawImage[]) => ks.tensor(Float32Array.from(images.flatMap((i) => Array.from(i.data))), [images.length, 1, 28, 28]);
    const support = stack(t.support);
    const query = stack(t.query);
    await learner.adapt(support, t.supportLabels);
    const fromTensor = await learner.predict(query);
    await learner.adapt(t.support, t.supportLabels);
    expect((await learner.predict(t.query)).labels).toEqual(fromTensor.labels);
    expect(support.isDisposed).toBe(false);
    support.dispose();
    query.dispose();
    learner.dispose();
  });
});
