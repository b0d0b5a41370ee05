import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { randomValues } from "../support/gradcheck.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm } from "./support.ts";

const model = ks.nn.mlp([3, 4, 2]);
const small = { hidden: 3, innerSteps: 2 };

function batch(): ks.meta.TaskBatch {
  const y = ks.tensor(new Int32Array([0, 0, 1, 1, 0, 0, 1, 1]), [2, 4], "int32");
  return { support: { x: ks.tensor(randomValues(24, 61), [2, 4, 3], "float32"), y }, query: { x: ks.tensor(randomValues(24, 62), [2, 4, 3], "float32"), y }, ways: 2 };
}

describe("l2l-lstm", () => {
  it("adapts by the learned optimizer's steps: the same as ks.optim.learned on each task's support loss", async () => {
    const algo = ks.meta.l2lLstm(model, small);
    const params = algo.init(new ks.Rng(0));
    const b = batch();
    const task = algo.adapt(params, { ...b.support, ways: 2 }, { statistics: false });
    const weights = Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith(ks.meta.L2L_PREFIX)).map(([k, v]) => [k.slice(4), v]));
    const opt = ks.optim.learned(weights, { config: { hidden: 3 } });
    let fast = ks.meta.perTask(Object.fromEntries(Object.keys(model.paramShapes).map((k) => [k, params[k]])), 2);
    const taskSum = (q: ks.TensorRecord) => ks.mul(ks.meta.meanTaskLoss("cross_entropy", model.apply(q, b.support.x), b.support.y), 2);
    for (let s = 0; s < 2; s++) fast = opt.update(fast, ks.grad(taskSum)(fast));
    for (const k of Object.keys(model.paramShapes)) {
      const want = Array.from(await fast[k].data());
      Array.from(await task.tensors[`weights.${k}`].data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
    opt.dispose();
  });

  it("meta-trains: Adam steps on the LSTM weights and the initialisation lower the query loss of a fixed batch", async () => {
    const algo = ks.meta.l2lLstm(model, small);
    let params = algo.init(new ks.Rng(1));
    const b = batch();
    const opt = ks.optim.adam({ lr: 0.05 });
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const step = algo.step(params, b);
      losses.push(await step.loss.item());
      params = opt.update(params, step.grads);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    opt.dispose();
  });

  it("stores its options so the registry rebuilds it", () => {
    const algo = ks.meta.l2lLstm(model, small);
    expect(algo.options).toMatchObject({ innerSteps: 2, hidden: 3, layers: 2, preprocess: 10, scale: 0.1 });
  });

  itAdaptsLikeEveryAlgorithm("l2l-lstm", () => ({
    algo: ks.meta.l2lLstm(ks.nn.conv4({ hidden: 4, ways: 3, size: 16 }), small),
    batch: episodeBatch(2, 3, new ks.Rng(7)),
  }));
});
