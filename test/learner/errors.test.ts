// The Learner refuses what it cannot use with a KshotError that says what was expected and what came.
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { glyphTask, untrainedCheckpoint } from "./fixtures.ts";

const rejects = async (p: Promise<unknown>, message: string | RegExp) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ks.KshotError);
  expect((err as Error).message).toMatch(message);
};

describe("Learner errors", () => {
  let protonet: Uint8Array;
  let maml: Uint8Array;
  beforeAll(async () => {
    protonet = await untrainedCheckpoint("protonet");
    maml = await untrainedCheckpoint("maml", 5);
  });

  it("load: not a kshot checkpoint, a regression checkpoint, an unknown algorithm, a bad source", async () => {
    const plain = ks.io.serializeSafetensors(new Map([["w", { dtype: "F32", shape: [1], data: new Float32Array([1]) }]]), {});
    await rejects(ks.Learner.load(plain), /expected a kshot checkpoint/);
    await rejects(ks.Learner.load(new Uint8Array([1, 2, 3])), /./);

    const mlp = ks.nn.mlp([1, 8, 1]);
    const params = mlp.init(new ks.Rng(0));
    const metadata = (algorithm: string, options: Record<string, string | number | boolean>) => ({
      model: { name: "mlp", config: mlp.config }, algorithm: { name: algorithm, options },
    });
    await rejects(ks.Learner.load(await ks.io.serialize(params, { metadata: metadata("maml", { loss: "mse" }) })), /regression checkpoint/);
    await rejects(ks.Learner.load(await ks.io.serialize(params, { metadata: metadata("hypernet", {}) })), /unknown algorithm "hypernet"/);
    await rejects(ks.Learner.load(await ks.io.serialize(params, { metadata: metadata("maml", {}) })), /image models/);
    await rejects(ks.Learner.load(await ks.io.serialize(params)), /metadata names the model and algorithm .*result.metadata.*found no model/);
    for (const t of Object.values(params)) t.dispose();
    await rejects(ks.Learner.load(42 as unknown as string), /expected a file path, a URL, a Uint8Array or an ArrayBuffer, got number/);
  });

  it("load: refuses a determinism other than the running backend's", async () => {
    await rejects(ks.Learner.load(protonet, { deterministic: false }), /expected deterministic: false, but the running backend was started with deterministic: true/);
    const learner = await ks.Learner.load(protonet, { deterministic: true });
    learner.dispose();
  });

  it("load: takes an ArrayBuffer, a data: URL string and a URL object as well as bytes", async () => {
    const copy = new Uint8Array(protonet);
    const url = `data:application/octet-stream;base64,${btoa(Array.from(protonet, (b) => String.fromCharCode(b)).join(""))}`;
    for (const source of [copy.buffer, url, new URL(url)]) {
      const learner = await ks.Learner.load(source);
      expect(learner.algorithm).toBe("protonet");
      learner.dispose();
    }
  });

  it("adapt: labels are class names or integer ids, one per example, of one kind, at least 2 classes", async () => {
    const learner = await ks.Learner.load(protonet);
    const t = glyphTask(3, 1, 0);
    await rejects(learner.adapt(t.support, [0, 1]), /one label per example \(3\), got 2 labels/);
    await rejects(learner.adapt(t.support, [0, 1, 1.5]), /integer class ids throughout, as label 0 is one; got 1.5 at 2/);
    await rejects(learner.adapt(t.support, ["a", "b", 2] as ks.ClassLabel[]), /class names \(strings\) throughout, as label 0 is one; got 2 at 2/);
    await rejects(learner.adapt(t.support, [0, null, 1] as unknown as number[]), /got null at 1/);
    await rejects(learner.adapt(t.support, [0, 0, 0]), /at least 2 classes, got only class 0/);
    await rejects(learner.adapt(t.support, ["x", "x", "x"]), /at least 2 classes, got only class "x"/);
    await rejects(learner.adapt(t.support, 7 as unknown as number[]), /expected labels as an array of class names \(strings\) or integer class ids, one per example, got number/);
    expect(learner.ways).toBeUndefined();
    learner.dispose();
  });

  it("adapt: a MAML head's ways, options that do not apply to the algorithm, bad steps", async () => {
    const t = glyphTask(3, 1, 0);
    const m = await ks.Learner.load(maml);
    await rejects(m.adapt(t.support, [0, 1, 2]), /5-way head: expected examples of 5 classes \(labels 0..4\), got 3/);
    const five = glyphTask(5, 1, 0);
    await rejects(m.adapt(five.support, five.supportLabels, { steps: -1 }), /steps to be a non-negative integer, got -1/);
    await rejects(m.adapt(five.support, five.supportLabels, { lr: Number.NaN }), /lr to be a non-negative number/);
    m.dispose();
    const p = await ks.Learner.load(protonet);
    await rejects(p.adapt(t.support, [0, 1, 2], { steps: 3 }), /protonet adapts by class prototypes.*steps and lr do not apply/);
    p.dispose();
    const sgd = await ks.Learner.load(await untrainedCheckpoint("metasgd", 5));
    await rejects(sgd.adapt(five.support, five.supportLabels, { lr: 0.1 }), /learned per-parameter step sizes: lr does not apply/);
    sgd.dispose();
  });

  it("predict before adapt, and any use after dispose", async () => {
    const learner = await ks.Learner.load(protonet);
    const t = glyphTask(2, 1, 1);
    await rejects(learner.predict(t.query), /adapt the learner to a task first/);
    learner.dispose();
    await rejects(learner.adapt(t.support, t.supportLabels), /disposed/);
    await rejects(learner.save(), /disposed/);
    learner.dispose();
  });

  it("images: wrong sizes, values out of range, things that are not images, tensors of the wrong shape", async () => {
    const learner = await ks.Learner.load(protonet);
    const t = glyphTask(2, 1, 1);
    await learner.adapt(t.support, t.supportLabels);
    await rejects(learner.predict({ data: new Uint8Array(10), width: 3, height: 3 }), /expected 1, 3 or 4 channels/);
    await rejects(learner.predict({ data: new Uint8Array(10), width: 3, height: 3, channels: 1 }), /expected 3×3×1 = 9 values, got 10/);
    await rejects(learner.predict({ data: new Float32Array([0, 2, 0, 0]), width: 2, height: 2 }), /float pixels must lie in \[0, 1\], found 2 at 1/);
    await rejects(learner.predict({ width: 2 } as unknown as ks.RawImage), /expected PNG or JPEG bytes \(Uint8Array, Buffer, ArrayBuffer, Blob, File\), a file path or URL, ImageData, a canvas, an ImageBitmap, an <img> or \{ data, width, height \}, got an object with keys width/);
    await rejects(learner.predict(new Uint8Array([0, 0, 1, 2])), /image 0 \(a Uint8Array of 4 bytes\): expected a PNG or JPEG file, the first bytes are 00 00 01 02 \(bytes are taken as an encoded PNG or JPEG file; pass pixels as \{ data, width, height \}\)/);
    await rejects(learner.predict(42 as unknown as ks.RawImage), /got number/);
    await rejects(learner.predict([]), /at least one image/);
    await rejects(learner.predict(t.query, { polarity: "dark" as ks.Polarity }), /polarity: expected one of auto, ink-dark, ink-light, got "dark"/);
    const wrong = ks.zeros([2, 1, 14, 14]);
    await rejects(learner.predict(wrong), /expected a tensor \[1, 28, 28\] or \[N, 1, 28, 28\]/);
    await rejects(learner.predict([wrong]), /a Tensor inside an array/);
    wrong.dispose();
    learner.dispose();
  });
});
