// Every algorithm family adapts through the Learner: gradient steps (MAML, FOMAML, Meta-SGD, ANIL, Reptile),
// the support set (Matching Net) and a new head (fine-tuning, frozen or whole network).
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { accuracyOf, glyphTask, learnerBackend, probabilityRows, tinyCheckpoint, type TinyOptions } from "./fixtures.ts";

const families: [string, TinyOptions, number][] = [
  ["fomaml", { evaluation: { steps: 10, lr: 0.4 } }, 10],
  ["metasgd", { evaluation: { steps: 10 } }, 10],
  ["anil", { evaluation: { steps: 10, lr: 0.4 } }, 10],
  ["reptile", { evaluation: { steps: 10, lr: 0.1 } }, 10],
  ["matchingnet", {}, 0],
  ["finetune", { iterations: 40 }, 30],
];

describe("Learner: every algorithm family adapts", () => {
  beforeAll(learnerBackend);

  for (const [name, options, steps] of families) {
    it(`${name} adapts (${steps} steps) and classifies better than chance; save/load keeps its predictions`, async () => {
      const learner = await ks.Learner.load(await tinyCheckpoint(name, { iterations: 10, ...options }));
      const t = glyphTask(5, 5, 6);
      const a = await learner.adapt(t.support, t.supportLabels);
      expect(a.steps).toBe(steps);
      expect(a.ways).toBe(5);
      expect(Number.isFinite(a.loss!)).toBe(true);
      const p = await learner.predict(t.query);
      expect(accuracyOf(p, t.queryLabels)).toBeGreaterThan(0.4);
      const one = await learner.predict(t.query[3]!);
      probabilityRows([one])[0]!.forEach((v, k) => expect(Math.abs(v - probabilityRows(p)[3]![k]!)).toBeLessThan(1e-5));
      const copy = await ks.Learner.load(await learner.save());
      expect(await copy.predict(t.query)).toEqual(p);
      copy.dispose();
      learner.dispose();
    });
  }

  it("finetune with the whole network adapts the backbone too", async () => {
    const bytes = await tinyCheckpoint("finetune", { iterations: 5 });
    const c = await ks.io.load(bytes);
    const metadata = { ...c.metadata, algorithm: { ...c.metadata.algorithm!, options: { ...c.metadata.algorithm!.options, wholeNetwork: true, steps: 5 } } };
    const whole = await ks.Learner.load(await ks.io.serialize(c.params, { metadata }));
    for (const t of Object.values(c.params)) t.dispose();
    for (const t of Object.values(c.optimizer ?? {})) t.dispose();
    const t = glyphTask(5, 5, 6);
    const a = await whole.adapt(t.support, t.supportLabels, { lr: 0.05 });
    expect(a.steps).toBe(5);
    const p = await whole.predict(t.query);
    const copy = await ks.Learner.load(await whole.save());
    expect(await copy.predict(t.query)).toEqual(p);
    copy.dispose();
    whole.dispose();
  });
});
