import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { stepGradientError } from "../support/step-gradcheck.ts";
import { episodeBatch } from "./support.ts";

const withRotation = (hidden = 2) => ks.meta.protonet(ks.nn.conv4({ hidden, ways: 0, size: 16 }), { auxiliary: "rotation" });
const read = async (t: ks.Tensor) => Array.from(await t.data());

describe("rotation self-supervision", () => {
  it("turns images as ks.data.rotate90 does, for every quarter turn", async () => {
    const side = 3;
    const pixels = Float32Array.from({ length: 2 * side * side }, (_, i) => i);
    const x = ks.tensor(pixels, [1, 1, 2, side, side]);
    for (let k = -1; k <= 4; k++) {
      const want = new Float32Array(pixels.length);
      ks.data.rotate90(pixels, 0, want, 0, 2, side, k);
      expect(await read(ks.meta.rotateImages(x, k)), `k = ${k}`).toEqual(Array.from(want));
    }
    expect(() => ks.meta.rotateImages(ks.zeros([1, 2, 3]), 1)).toThrow(/expected square images/);
  });

  it("the rotation task turns image i by (i mod 4) quarter turns, grouped by rotation, with balanced labels", async () => {
    const m = 6;
    const x = ks.tensor(Float32Array.from({ length: 2 * m * 4 }, (_, i) => Math.floor(i / 4) % m), [2, m, 1, 2, 2]);
    const r = ks.meta.rotationBatch(x);
    expect(r.x.shape).toEqual([2, m, 1, 2, 2]);
    // Each image is constant, so a turn keeps its value: the order of images is 0, 4, 1, 5, 2, 3.
    expect((await read(r.x)).filter((_, i) => i % 4 === 0)).toEqual([0, 4, 1, 5, 2, 3, 0, 4, 1, 5, 2, 3]);
    expect(await read(r.labels)).toEqual([0, 0, 1, 1, 2, 3, 0, 0, 1, 1, 2, 3]);
  });

  it("adds a 4-way head; one step's gradient (few-shot + rotation loss) matches float64 finite differences", () => {
    const { error, worst } = stepGradientError(() => {
      const algo = withRotation();
      return { algo, params: algo.init(new ks.Rng(2)), batch: episodeBatch(2, 3, new ks.Rng(6)) };
    });
    expect(error, JSON.stringify(worst)).toBeLessThan(1e-6);
  });

  it("its loss is ProtoNet's plus α times the rotation loss; the head gets gradient", async () => {
    const batch = episodeBatch(2, 3, new ks.Rng(8));
    const plain = ks.meta.protonet(ks.nn.conv4({ hidden: 4, ways: 0, size: 16 }));
    const rot = withRotation(4);
    const params = rot.init(new ks.Rng(1));
    expect(params["rotation.weight"]!.shape).toEqual([4, 4]);
    expect(params["rotation.bias"]!.shape).toEqual([4]);
    const few = (await read(plain.step(params, batch).loss))[0]!;
    const both = rot.step(params, batch);
    const total = (await read(both.loss))[0]!;
    const half = ks.meta.protonet(plain.model, { auxiliary: "rotation", rotationWeight: 0.5 }).step(params, batch);
    // Near initialisation the rotation loss is about log 4.
    expect(total - few).toBeGreaterThan(0.5 * Math.log(4));
    expect((await read(half.loss))[0]! - few).toBeCloseTo((total - few) / 2, 4);
    expect(Math.max(...(await read(both.grads["rotation.weight"]!)).map(Math.abs))).toBeGreaterThan(0);
    expect(() => ks.meta.protonet(plain.model, { auxiliary: "jigsaw" as "rotation" })).toThrow(/expected auxiliary "rotation" or "none", got "jigsaw"/);
    expect(() => rot.step(plain.init(new ks.Rng(0)), batch)).toThrow(/parameters rotation.weight, rotation.bias do not exist/);
  });

  it("round-trips through a checkpoint: options and head stored, rebuilt by the registry, adapted by the Learner", async () => {
    const algo = withRotation(4);
    const tasks = ks.data.tasks(ks.data.glyphs({ examplesPerClass: 4, size: 16 }).train, { ways: 3, shots: 1, queries: 1, seed: 0 });
    const r = await ks.train(algo, tasks, { iterations: 2 });
    const bytes = await ks.io.serialize(r.params, { metadata: r.metadata });
    const loaded = await ks.io.load(bytes);
    expect(loaded.metadata.algorithm).toEqual({ name: "protonet", options: { metric: "euclidean", auxiliary: "rotation", rotationWeight: 1, loss: "cross_entropy" } });
    expect(await read(loaded.params["rotation.weight"]!)).toEqual(await read(r.params["rotation.weight"]!));
    const rebuilt = ks.fromMetadata(loaded.metadata).algorithm;
    expect(rebuilt.options).toMatchObject({ auxiliary: "rotation", rotationWeight: 1 });
    // Resuming keeps training the head.
    const more = await ks.train(rebuilt, tasks, { iterations: 3, resume: loaded });
    expect(more.iterations).toBe(3);
    expect(await read(more.params["rotation.weight"]!)).not.toEqual(await read(r.params["rotation.weight"]!));
    const learner = await ks.Learner.load(bytes);
    const x = ks.tensor(Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => (i % 7) / 7), [3, 1, 16, 16]);
    await learner.adapt(x, [0, 1, 2]);
    expect((await learner.predict(x)) as unknown[]).toHaveLength(3);
    learner.dispose();
    x.dispose();
    ks.io.disposeCheckpoint(loaded);
    for (const p of [r.params, more.params]) Object.values(p).forEach((t) => t.dispose());
  });
});
