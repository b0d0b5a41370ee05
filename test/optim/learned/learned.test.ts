import { describe, expect, it } from "vitest";
import * as ks from "../../../src/index.ts";

const config = { hidden: 4, layers: 2 };

describe("ks.optim.learned", () => {
  it("steps every coordinate by the LSTM's update and keeps a state per coordinate", async () => {
    const weights = ks.optim.initLstmOptimizer(new ks.Rng(0), config);
    const opt = ks.optim.learned(weights, { config });
    const full = ks.optim.lstmOptimizerConfig(config);
    const g1 = ks.tensor([[0.5, -1e-6], [2, 0]]);
    const g2 = ks.tensor([[0.1, 0.2], [-0.3, 4]]);
    const p0 = ks.tensor([[1, 2], [3, 4]]);
    const p1 = opt.update({ w: p0 }, { w: g1 });
    const p2 = opt.update(p1, { w: g2 });
    const first = ks.optim.lstmOptimizerUpdate(weights, g1, ks.optim.zeroLstmState(4, full), full);
    const second = ks.optim.lstmOptimizerUpdate(weights, g2, first.state, full);
    const want = Array.from(await ks.add(ks.add(p0, first.update), second.update).data());
    Array.from(await p2.w.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    expect(Object.keys(opt.stateTensors()).sort()).toEqual(["c0.w", "c1.w", "h0.w", "h1.w"]);
    expect(opt.config).toEqual({ kind: "learned", lr: 1, hidden: 4, layers: 2, preprocess: 10, scale: 0.1 });
    opt.dispose();
  });

  it("loads from a checkpoint of model lstm-optimizer, and the copy outlives the caller's tensors", async () => {
    const weights = ks.optim.initLstmOptimizer(new ks.Rng(1), config);
    const bytes = await ks.io.serialize(weights, { metadata: { model: { name: ks.optim.LSTM_OPTIMIZER_MODEL, config: { ...config, scale: 0.05 } } } });
    const checkpoint = ks.io.parseCheckpoint(bytes);
    const opt = ks.optim.learned(checkpoint);
    expect(opt.config.scale).toBe(0.05);
    ks.io.disposeCheckpoint(checkpoint);
    const p = opt.update({ w: ks.tensor([1]) }, { w: ks.tensor([1]) });
    expect(Number.isFinite((await p.w.data())[0])).toBe(true);
    opt.dispose();
    const other = await ks.io.serialize(weights);
    expect(() => ks.optim.learned(ks.io.parseCheckpoint(other))).toThrow(/lstm-optimizer/);
  });

  it("skips steps with accept = 0, leaving parameters and state unchanged", async () => {
    const weights = ks.optim.initLstmOptimizer(new ks.Rng(2), config);
    const run = async (skip: boolean) => {
      const opt = ks.optim.learned(weights, { config });
      let p: ks.TensorRecord = { w: ks.tensor([1, 2]) };
      p = opt.update(p, { w: ks.tensor([1, -1]) });
      if (skip) p = opt.update(p, { w: ks.tensor([NaN, Infinity]) }, { accept: ks.scalar(0) });
      p = opt.update(p, { w: ks.tensor([2, 0.5]) }, { accept: ks.scalar(1) });
      const out = { w: Array.from(await p.w.data()), h: Array.from(await opt.stateTensors()["h1.w"].data()) };
      opt.dispose();
      return out;
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it("rejects weights of another architecture", () => {
    const weights = ks.optim.initLstmOptimizer(new ks.Rng(0), config);
    expect(() => ks.optim.learned(weights)).toThrow(/expected lstm.weight_ih_l0 \[80, 2\], got \[16, 2\]/);
    expect(() => ks.optim.learned({})).toThrow(/missing weight/);
  });
});
