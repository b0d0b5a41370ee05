import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { clusterTasks } from "../train/fixtures.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm } from "./support.ts";
const { finetune } = ks.meta;
const { episodeTensors, disposeTaskBatch } = ks;
const { evaluate } = ks;
const { train } = ks;

const backbone = () => ks.nn.mlp([4, 8]);

describe("finetune (the transfer-learning baseline)", () => {
  it("pre-trains on source classes: way n of task t is labelled batch.classes[t, n]", async () => {
    const algo = finetune(backbone(), { numClasses: 12 });
    const params = algo.init(new ks.Rng(0));
    params["head.weight"] = ks.zerosLike(params["head.weight"]!);
    params["head.bias"] = ks.zerosLike(params["head.bias"]!);
    const host = clusterTasks(4, 3, 1, 1).nextBatch(2);
    const batch = episodeTensors(host, [4]);
    const { loss, grads } = algo.step(params, batch);
    // A zero head predicts uniformly: loss log 12, and ∂loss/∂bias_c = 1/12 − (share of examples of class c).
    expect((await loss.data())[0]).toBeCloseTo(Math.log(12), 5);
    const counts = new Array(12).fill(0);
    for (const c of host.classes) counts[c] += 2; // one support and one query example per way
    const expected = counts.map((n) => 1 / 12 - n / 12);
    Array.from((await grads["head.bias"]!.data())).forEach((g, c) => expect(g).toBeCloseTo(expected[c]!, 6));
    disposeTaskBatch(batch);
  });

  it("fine-tunes a new zero head at test time: chance before, far better after", async () => {
    const algo = finetune(backbone(), { numClasses: 12, steps: 60, lr: 0.1 });
    const trained = await train(algo, clusterTasks(1, 6, 1, 1), { iterations: 30, metaBatch: 2, metaLr: 0.01 });
    expect(trained.accuracy).toBeGreaterThan(1 / 12);
    const before = await evaluate(algo, trained.params, clusterTasks(9, 3, 1, 3), { episodes: 8, steps: 0 });
    const after = await evaluate(algo, trained.params, clusterTasks(9, 3, 1, 3), { episodes: 8 });
    if (before.kind !== "classification" || after.kind !== "classification") throw new Error("expected classification");
    expect(before.accuracy).toBeCloseTo(1 / 3, 6); // all-zero logits: argmax picks way 0
    expect(after.accuracy).toBeGreaterThan(0.7);
  });

  it("can fine-tune the whole network or start from a random head, with flat memory", () => {
    for (const options of [{ wholeNetwork: true }, { headInit: "random" as const }]) {
      const algo = finetune(backbone(), { numClasses: 12, steps: 20, ...options });
      const params = algo.init(new ks.Rng(2));
      const batch = episodeTensors(clusterTasks(3, 3, 2, 2).nextBatch(3), [4]);
      const first = algo.evaluate(params, batch);
      for (const t of [first.predictions, first.loss, first.accuracy!]) t.dispose();
      const before = ks.memory();
      const r = algo.evaluate(params, batch);
      expect(r.predictions.shape).toEqual([3, 6, 3]);
      for (const t of [r.predictions, r.loss, r.accuracy!]) t.dispose();
      expect(ks.memory()).toEqual(before);
      disposeTaskBatch(batch);
    }
  });

  it("names what is wrong", () => {
    expect(() => finetune(ks.nn.conv4({ hidden: 2, ways: 5 }), { numClasses: 12 })).toThrow(/without a head .* head.weight, head.bias/);
    expect(() => finetune(backbone(), { numClasses: 1 })).toThrow(/numClasses/);
    expect(() => finetune(backbone(), { numClasses: 5, momentum: 1 })).toThrow(/momentum in \[0, 1\)/);
    const algo = finetune(backbone(), { numClasses: 12 });
    const params = algo.init(new ks.Rng(0));
    const { classes, ...plain } = episodeTensors(clusterTasks().nextBatch(1), [4]);
    classes.dispose();
    expect(() => algo.step(params, plain)).toThrow(/needs the batch's source classes `classes` as int32 \[1, 3\]/);
  });

  for (const wholeNetwork of [false, true]) {
    itAdaptsLikeEveryAlgorithm(`finetune${wholeNetwork ? " (whole network)" : ""}`, () => ({
      algo: finetune(ks.nn.conv4({ hidden: 4, ways: 0, size: 16 }), { numClasses: 6, steps: 3, lr: 0.1, wholeNetwork }),
      batch: episodeBatch(2, 3, new ks.Rng(7)),
    }));
  }

  it("adapts a new head (and with wholeNetwork the backbone's weights too)", () => {
    const batch = episodeTensors(clusterTasks(3, 3, 2, 2).nextBatch(2), [4]);
    for (const wholeNetwork of [false, true]) {
      const algo = finetune(backbone(), { numClasses: 12, steps: 4, wholeNetwork });
      const params = algo.init(new ks.Rng(2));
      const task = algo.adapt(params, { ...batch.support, ways: 3 });
      expect(task.steps).toBe(4);
      expect(task.tensors["head.weight"]!.shape).toEqual([2, 3, 8]);
      expect("weights.fc0.weight" in task.tensors).toBe(wholeNetwork);
    }
    disposeTaskBatch(batch);
  });
});
