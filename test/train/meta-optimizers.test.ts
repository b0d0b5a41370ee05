// Short training runs of the learned update rules in every runtime: the Meta-Learner LSTM and the learned
// LSTM optimizer as few-shot methods through ks.train and the Learner, and the LSTM optimizer's own
// meta-training on quadratics through a checkpoint to ks.optim.learned.
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { glyphTask, learnerBackend, tinyCheckpoint } from "../learner/fixtures.ts";

describe("learned update rules, trained briefly", () => {
  beforeAll(learnerBackend);

  for (const name of ["metalstm", "l2l-lstm"] as const) {
    it(`${name}: ks.train on glyphs, then the Learner adapts by its learned steps and predicts`, async () => {
      const learner = await ks.Learner.load(await tinyCheckpoint(name, { iterations: 3, hidden: 4 }));
      expect(learner.algorithm).toBe(name);
      const t = glyphTask(5, 1, 2);
      const a = await learner.adapt(t.support, t.supportLabels);
      expect(a.steps).toBe(5);
      expect(Number.isFinite(a.loss!)).toBe(true);
      expect(await learner.predict(t.query)).toHaveLength(t.query.length);
      learner.dispose();
    });
  }

  it("the LSTM optimizer: meta-trained on quadratics, saved, loaded and applied with ks.optim.learned", async () => {
    const config = { hidden: 6 };
    const { weights, losses } = await ks.optim.trainLearnedOptimizer({ iterations: 2, steps: 20, truncation: 10, functions: 8, config });
    expect(losses.every(Number.isFinite)).toBe(true);
    const bytes = await ks.io.serialize(weights, { metadata: { model: { name: ks.optim.LSTM_OPTIMIZER_MODEL, config: ks.optim.lstmOptimizerConfig(config) } } });
    for (const t of Object.values(weights)) t.dispose();
    const checkpoint = ks.io.parseCheckpoint(bytes);
    const opt = ks.optim.learned(checkpoint);
    ks.io.disposeCheckpoint(checkpoint);
    const f = ks.optim.quadratics(new ks.Rng(9), 4);
    const curves = await ks.optim.optimizeFunctions(opt, f, new ks.Rng(10), 10);
    expect(curves).toHaveLength(11);
    expect(curves.flatMap((c) => Array.from(c)).every(Number.isFinite)).toBe(true);
    opt.dispose();
    f.dispose();
  });
});
