import { encode as encodePng } from "fast-png";
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../src/index.ts";
import { accuracyOf, glyphTask, learnerBackend, probabilityRows, tinyCheckpoint } from "./learner/fixtures.ts";

const task = () => glyphTask(5, 5, 6);
const rowSums = (rows: number[][]) => rows.map((r) => r.reduce((a, b) => a + b, 0));

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
    expect(p).toHaveLength(t.query.length);
    for (const s of rowSums(probabilityRows(p))) expect(s).toBeCloseTo(1, 5);
    expect(accuracyOf(p, t.queryLabels)).toBeGreaterThanOrEqual(0.8);
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
      accuracies.push(accuracyOf(await learner.predict(t.query), t.queryLabels));
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
        expect(one.label).toBe(batch[i]!.label);
        probabilityRows([one])[0]!.forEach((v, k) => expect(Math.abs(v - probabilityRows(batch)[i]![k]!)).toBeLessThan(1e-5));
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
    expect(await learner.predict(t.query)).toEqual(before);
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
      expect(await copy.predict(t.query)).toEqual(expected);
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
    expect(await learner.predict(t.query)).toEqual(fromTensor);
    expect(support.isDisposed).toBe(false);
    support.dispose();
    query.dispose();
    learner.dispose();
  });

  it("class names as labels: each prediction gives the name, probabilities by name and the ranking; save/load keeps them", async () => {
    const t = task();
    const names = ["alpha", "beta", "gamma", "delta", "epsilon"];
    const learner = await ks.Learner.load(protonet);
    await learner.adapt(t.support, t.supportLabels);
    const byIndex = await learner.predict(t.query);
    await learner.adapt(t.support, t.supportLabels.map((c) => names[c]!));
    expect(learner.classes).toEqual(names);
    const byName = await learner.predict(t.query);
    byName.forEach((p, i) => {
      const q = byIndex[i]!;
      expect(p.label).toBe(names[q.label as number]);
      expect(Object.keys(p.probabilities)).toEqual(names);
      names.forEach((name, c) => expect(p.probabilities[name]).toBe(q.probabilities[c]));
      expect(p.ranking.map((r) => r.label)).toEqual(q.ranking.map((r) => names[r.label as number]));
      expect(p.ranking[0]!.label).toBe(p.label);
      for (let k = 1; k < p.ranking.length; k++) expect(p.ranking[k]!.probability).toBeLessThanOrEqual(p.ranking[k - 1]!.probability);
    });
    const one = await learner.predict(t.query[0]!);
    expect(one.label).toBe(byName[0]!.label);
    const copy = await ks.Learner.load(await learner.save());
    expect(copy.classes).toEqual(names);
    expect(await copy.predict(t.query)).toEqual(byName);
    copy.dispose();
    learner.dispose();
  });

  it("integer ids need not be 0..N−1: classes are the distinct ids in increasing order", async () => {
    const t = task();
    const learner = await ks.Learner.load(protonet);
    await learner.adapt(t.support, t.supportLabels);
    const expected = await learner.predict(t.query);
    const ids = [7, 3, 2 ** 40, -1, 12];
    await learner.adapt(t.support, t.supportLabels.map((c) => ids[c]!));
    expect(learner.classes).toEqual([...ids].sort((a, b) => a - b));
    // ProtoNet does not depend on the order of classes: the same queries get the same classes, by id.
    expect((await learner.predict(t.query)).map((p) => p.label)).toEqual(expected.map((p) => ids[p.label as number]));
    learner.dispose();
  });

  it("adapt and predict take PNG files' bytes as they take the pixels", async () => {
    const t = glyphTask(5, 1, 2);
    const toBytes = (image: ks.RawImage) => Uint8Array.from(image.data, (v) => Math.round(v * 255));
    const gray = (image: ks.RawImage): ks.RawImage => ({ data: toBytes(image), width: 28, height: 28 });
    const png = (image: ks.RawImage) => encodePng({ width: 28, height: 28, depth: 8, channels: 1, data: toBytes(image) });
    const learner = await ks.Learner.load(protonet);
    await learner.adapt(t.support.map(gray), t.supportLabels);
    const expected = await learner.predict(t.query.map(gray));
    await learner.adapt(t.support.map(png), t.supportLabels);
    expect(await learner.predict(t.query.map(png))).toEqual(expected);
    learner.dispose();
  });

  it("loads what ks.io.save writes from ks.train's result, its metadata and the user's own", async () => {
    const algo = ks.meta.protonet(ks.nn.conv4({ hidden: 4, ways: 0 }));
    const r = await ks.train(algo, ks.data.tasks(ks.data.glyphs({ seed: 0, trainClasses: 10, validationClasses: 2, testClasses: 2 }).train, { ways: 3, shots: 1, queries: 1, seed: 0 }), { iterations: 2, metaBatch: 1 });
    const bytes = await ks.io.serialize(r.params, { metadata: { ...r.metadata, extra: { author: "a user", note: "{not json" } } });
    for (const t of Object.values(r.params)) t.dispose();
    const learner = await ks.Learner.load(bytes);
    expect(learner.metadata.extra).toEqual({ author: "a user", note: "{not json" });
    const t = task();
    await learner.adapt(t.support, t.supportLabels);
    const copy = await ks.Learner.load(await learner.save());
    expect(copy.metadata.extra).toEqual({ author: "a user", note: "{not json" });
    copy.dispose();
    learner.dispose();
  });
});
