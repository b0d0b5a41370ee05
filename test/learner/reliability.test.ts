// Failed Learner calls throw a KshotError at once, leave no tensor behind, and never return NaN silently.
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { glyphTask, learnerBackend, untrainedCheckpoint } from "./fixtures.ts";

/** `call` must reject with a KshotError matching `message`, with ks.memory() the same before and after. */
async function rejectsCleanly(call: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = ks.memory().tensors;
  const err = await call().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ks.KshotError);
  expect((err as Error).message).toMatch(message);
  expect(ks.memory().tensors).toBe(before);
}

/** A checkpoint's bytes with every parameter multiplied by `factor` (NaN, Infinity). */
async function scaled(bytes: Uint8Array, factor: number): Promise<Uint8Array> {
  const c = ks.io.parseCheckpoint(bytes);
  const params = Object.fromEntries(Object.entries(c.params).map(([k, t]) => [k, ks.mul(t, factor)]));
  const out = await ks.io.serialize(params, { metadata: c.metadata });
  ks.io.disposeCheckpoint(c);
  for (const t of Object.values(params)) t.dispose();
  return out;
}

describe("Learner reliability", () => {
  let protonet: Uint8Array;
  let maml: Uint8Array;
  beforeAll(async () => {
    await learnerBackend();
    protonet = await untrainedCheckpoint("protonet");
    maml = await untrainedCheckpoint("maml", 3);
  });

  it("huge integer labels are class ids like any other (nothing is allocated for their size); bad ones are refused cleanly", async () => {
    const learner = await ks.Learner.load(protonet);
    const t = glyphTask(2, 1, 0);
    await learner.adapt(t.support, [0, 2 ** 32]);
    expect(learner.classes).toEqual([0, 2 ** 32]);
    await learner.adapt(t.support, [1e7, 0]);
    expect(learner.classes).toEqual([0, 1e7]);
    await rejectsCleanly(() => learner.adapt(t.support, [0, 2 ** 53]), /integer class ids throughout.*got 9007199254740992 at 1/);
    await rejectsCleanly(() => learner.adapt(t.support.slice(0, 1), [0]), /at least 2 classes/);
    learner.dispose();
  });

  it("throws on non-finite results: NaN weights, NaN inputs, a step size of 1e30", async () => {
    const t = glyphTask(3, 1, 1);
    const nan = await ks.Learner.load(await scaled(protonet, NaN));
    await rejectsCleanly(() => nan.adapt(t.support, t.supportLabels), /adapt: the support loss is NaN, not finite/);
    nan.dispose();

    const learner = await ks.Learner.load(protonet);
    const nanImages = t.support.map((im) => ({ ...im, data: new Float32Array(im.data.length).fill(NaN) }));
    await rejectsCleanly(() => learner.adapt(nanImages, t.supportLabels), /image 0: float pixels must lie in \[0,/);
    const nanTensor = ks.mul(ks.ones([3, 1, 28, 28]), NaN);
    await rejectsCleanly(() => learner.adapt(nanTensor, t.supportLabels), /support loss is NaN/);
    nanTensor.dispose();
    await learner.adapt(t.support, t.supportLabels);
    const nanQuery = ks.mul(ks.ones([1, 1, 28, 28]), NaN);
    await rejectsCleanly(() => learner.predict(nanQuery), /predict: the probabilities of example 0 are not finite/);
    nanQuery.dispose();
    expect(await learner.predict(t.query)).toHaveLength(3);
    learner.dispose();

    const mamlLearner = await ks.Learner.load(maml);
    await rejectsCleanly(() => mamlLearner.adapt(t.support, t.supportLabels, { lr: 1e30, steps: 2 }), /support loss is (NaN|Infinity)/);
    expect(mamlLearner.ways).toBeUndefined();
    mamlLearner.dispose();
  });

  it("refuses a checkpoint whose tensors do not match its metadata, leaving nothing behind", async () => {
    const c = ks.io.parseCheckpoint(maml);
    const relabelled = await ks.io.serialize(c.params, { metadata: { ...c.metadata, algorithm: { name: "protonet", options: {} } } });
    ks.io.disposeCheckpoint(c);
    await rejectsCleanly(() => ks.Learner.load(relabelled), /protonet uses the model as an embedding, without a head/);
    await rejectsCleanly(() => ks.Learner.load(new Uint8Array(7)), /at least 8 bytes/);
  });
});
