import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm, itMatchesGoldenCase } from "./support.ts";
type TaskBatch = ks.meta.TaskBatch;

const { innerLoop, perTask } = ks.meta;

/** Two tasks of 2 ways × (1 shot + 2 queries) on 3 inputs, class-major as the sampler lays them out. */
function batch(): TaskBatch {
  const rng = new ks.Rng(5);
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const labels = (perClass: number) => new Int32Array([0, 1].flatMap((c) => Array(perClass).fill(c)));
  const y = (perClass: number) => ks.tensor(new Int32Array([...labels(perClass), ...labels(perClass)]), [2, 2 * perClass], "int32");
  return {
    support: { x: ks.tensor(values(2 * 2 * 3), [2, 2, 3]), y: y(1) },
    query: { x: ks.tensor(values(2 * 4 * 3), [2, 4, 3]), y: y(2) },
    ways: 2,
  };
}

const model = ks.nn.mlp([3, 5, 2]);
const params = model.init(new ks.Rng(1));
const flat = async (r: ks.TensorRecord) => (await Promise.all(Object.values(r).map((t) => t.data()))).flatMap((d) => Array.from(d));

/** θ − mean_t φ_t with φ_t from one SGD step per minibatch given by host-side row indices. */
async function expectedGrads(b: TaskBatch, rowsPerStep: number[][], lr: number): Promise<number[]> {
  const joinedX = await ks.concat([b.support.x, b.query.x], 1).data();
  const joinedY = await ks.concat([b.support.y, b.query.y], 1).data();
  // Class-major order of the joined examples: support 0, query 0, 1 (class 0), support 1, query 2, 3 (class 1).
  const order = [0, 2, 3, 1, 4, 5];
  let fast = perTask(params, 2);
  for (const rows of rowsPerStep) {
    const pick = (src: ArrayLike<number>, width: number) => Float32Array.from([0, 1].flatMap((t) => rows.flatMap((r) => Array.from({ length: width }, (_, i) => src[(t * 6 + order[r]!) * width + i]!))));
    const x = ks.tensor(pick(joinedX, 3), [2, rows.length, 3]);
    const y = ks.tensor(Int32Array.from(pick(joinedY, 1)), [2, rows.length], "int32");
    fast = innerLoop(model, fast, x, y, { steps: 1, lr, firstOrder: true, adapt: Object.keys(params), loss: "cross_entropy" });
  }
  const theta = await flat(params);
  const mean = await flat(ks.meta.taskMean(fast));
  return theta.map((v, i) => v - mean[i]!);
}

describe("reptile", () => {
  it("steps on class-balanced minibatches of innerBatch examples, one pass over each class's examples", async () => {
    const b = batch();
    const algo = ks.meta.reptile(model, { innerLr: 0.5, innerSteps: 3, innerBatch: 2 });
    const got = await flat(algo.step(params, b).grads);
    // Steps take the class-major rows (0, 3), (1, 4), (2, 5): one example of each class.
    const want = await expectedGrads(b, [[0, 3], [1, 4], [2, 5]], 0.5);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it("equals the full-batch update when the minibatch holds every example", async () => {
    const b = batch();
    const full = await flat(ks.meta.reptile(model, { innerLr: 0.5, innerSteps: 2 }).step(params, b).grads);
    const whole = await flat(ks.meta.reptile(model, { innerLr: 0.5, innerSteps: 2, innerBatch: 6 }).step(params, b).grads);
    whole.forEach((v, i) => expect(v).toBeCloseTo(full[i]!, 6));
    const want = await expectedGrads(b, [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]], 0.5);
    full.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it("adapts on support minibatches of evalBatch at evaluation, and stores both sizes", async () => {
    const b = batch();
    const algo = ks.meta.reptile(model, { innerLr: 0.5, evalSteps: 4, evalBatch: 2, innerBatch: 4 });
    expect(algo.options).toMatchObject({ innerBatch: 4, evalBatch: 2, evalSteps: 4 });
    const again = ks.createAlgorithm("reptile", model, ks.algorithmOptions(algo));
    expect(again.options).toEqual(algo.options);
    // 1 shot per class: a minibatch of 2 is the whole support set, so it matches the full-batch adaptation.
    const full = ks.meta.reptile(model, { innerLr: 0.5, evalSteps: 4 });
    const a = await algo.evaluate(params, b).predictions.data();
    const f = await full.evaluate(params, b).predictions.data();
    Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(f[i]!, 6));
  });

  it("names a minibatch that does not split evenly over the classes", () => {
    expect(() => ks.meta.reptile(model, { innerBatch: 0 })).toThrow(/innerBatch to be a positive integer, got 0/);
    const algo = ks.meta.reptile(model, { innerBatch: 3 });
    expect(() => algo.step(params, batch())).toThrow(/reptile innerBatch: expected a positive multiple of the 2 classes per task/);
  });

  itMatchesGoldenCase("conv4_reptile");
  itAdaptsLikeEveryAlgorithm("reptile", () => ({
    algo: ks.meta.reptile(ks.nn.conv4({ hidden: 4, ways: 3, size: 16 }), { innerLr: 0.3, evalSteps: 2 }),
    batch: episodeBatch(2, 3, new ks.Rng(7)),
  }));

  it("adapts on evalBatch minibatches only when the support set is balanced", async () => {
    const b = batch();
    const algo = ks.meta.reptile(model, { innerLr: 0.5, evalSteps: 3, evalBatch: 2 });
    const support = { ...b.support, ways: 2 };
    // Each task has one example per class: a minibatch of 2 is the whole set either way.
    const balanced = await algo.adapt(params, support).tensors["weights.fc0.weight"]!.data();
    const whole = await algo.adapt(params, support, { balanced: false }).tensors["weights.fc0.weight"]!.data();
    Array.from(balanced).forEach((v, i) => expect(v).toBeCloseTo(whole[i]!, 6));
    const odd = { x: ks.concat([b.support.x, b.query.x], 1), y: ks.concat([b.support.y, b.query.y], 1), ways: 2 };
    expect(() => algo.adapt(params, { ...odd, x: ks.slice(odd.x, [0, 0, 0], [2, 5, 3]), y: ks.slice(odd.y, [0, 0], [2, 5]) })).toThrow(/reptile evalBatch: class-balanced minibatches need the same number of examples of each of the 2 classes, got 5/);
    expect(algo.adapt(params, { ...odd, x: ks.slice(odd.x, [0, 0, 0], [2, 5, 3]), y: ks.slice(odd.y, [0, 0], [2, 5]) }, { balanced: false }).steps).toBe(3);
  });
});
