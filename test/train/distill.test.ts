import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

const protonet = (hidden: number) => ks.meta.protonet(ks.nn.conv4({ hidden, ways: 0, size: 16 }));
const glyphTasks = (seed: number) => ks.data.tasks(ks.data.glyphs({ examplesPerClass: 4, size: 16 }).train, { ways: 3, shots: 1, queries: 2, seed });
const dispose = (r: ks.TensorRecord) => Object.values(r).forEach((t) => t.dispose());

describe("distill", () => {
  it("trains a smaller student; its checkpoint is the student's and the Learner adapts with it", async () => {
    const teacherAlgo = protonet(8);
    const teacher = await ks.train(teacherAlgo, glyphTasks(1), { iterations: 3 });
    const student = protonet(4);
    const before = ks.memory().tensors;
    let written: Uint8Array | undefined;
    const r = await ks.distill({ algorithm: teacherAlgo, params: teacher.params }, student, glyphTasks(2), {
      iterations: 4, temperature: 3, logEvery: 2, checkpoint: { write: (bytes) => void (written = bytes) },
    });
    expect(r.iterations).toBe(4);
    expect(r.history.map((p) => Number.isFinite(p.loss))).toEqual([true, true]);
    expect(r.params["conv0.weight"]!.shape).toEqual([4, 1, 3, 3]);
    expect(ks.memory().tensors - before).toBe(Object.keys(r.params).length);

    const loaded = await ks.io.load(written!);
    expect(loaded.metadata.model).toEqual({ name: "conv4", config: { hidden: 4, ways: 0, channels: 1, size: 16 } });
    expect(loaded.metadata.algorithm!.name).toBe("protonet");
    expect(loaded.metadata.training!.distillation).toMatchObject({ temperature: 3, hardWeight: 0.5, teacher: { algorithm: "protonet", config: { hidden: 8 } } });
    ks.io.disposeCheckpoint(loaded);

    const learner = await ks.Learner.load(written!);
    const x = ks.tensor(Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => ((i * 7) % 11) / 11), [3, 1, 16, 16]);
    await learner.adapt(x, ["a", "b", "c"]);
    const predictions = (await learner.predict(x)) as { label: unknown }[];
    expect(predictions).toHaveLength(3);
    learner.dispose();
    x.dispose();
    dispose(r.params);
    dispose(teacher.params);
  });

  it("checks its settings before training", async () => {
    const algorithm = protonet(4);
    const params = algorithm.init(new ks.Rng(0));
    await expect(ks.distill({ algorithm, params }, protonet(2), glyphTasks(0), { iterations: 1, temperature: -2 })).rejects.toThrow(/expected temperature to be a positive number, got -2/);
    dispose(params);
  });
});
