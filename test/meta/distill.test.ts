import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { stepGradientError } from "../support/step-gradcheck.ts";
import { episodeBatch } from "./support.ts";

const protonet = (hidden: number) => ks.meta.protonet(ks.nn.conv4({ hidden, ways: 0, size: 16 }));
const read = async (t: ks.Tensor) => Array.from(await t.data());

describe("distillation", () => {
  it("the soft-target loss is T² · KL(softmax(t/T) ‖ softmax(s/T))", async () => {
    // Teacher probabilities (3/4, 1/4) at T = 2, student (1/2, 1/2).
    const teacher = ks.tensor([2 * Math.log(3), 0], [1, 1, 2]);
    const student = ks.tensor([0, 0], [1, 1, 2]);
    const kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    expect((await read(ks.meta.softTargetLoss(student, teacher, 2)))[0]).toBeCloseTo(4 * kl, 5);
    const labels = ks.tensor(new Int32Array([1]), [1, 1], "int32");
    const both = await read(ks.meta.distillationLoss(student, teacher, labels, { temperature: 2, hardWeight: 0.5 }));
    expect(both[0]).toBeCloseTo(4 * kl + 0.5 * Math.log(2), 5);
    // Probabilities (Matching Net) enter as log-probabilities.
    const p = ks.tensor([0.25, 0.75], [1, 1, 2]);
    const logits = await read(ks.meta.episodeLogits({ adaptation: { kind: "matching", tensors: [], outputs: "probabilities" } }, p));
    expect(logits[0]).toBeCloseTo(Math.log(0.25), 6);
  });

  it("one distillation step's gradient matches float64 finite differences (tiny Conv-4 student)", () => {
    const { error, worst } = stepGradientError(() => {
      const rng = new ks.Rng(5);
      const teacher = protonet(3);
      const teacherParams = Object.fromEntries(Object.entries(teacher.init(new ks.Rng(1))).map(([k, t]) => [k, ks.cast(t, "float64")]));
      const algo = ks.meta.distillation({ algorithm: teacher, params: teacherParams }, protonet(2), { temperature: 2, hardWeight: 0.5 });
      return { algo, params: algo.init(new ks.Rng(2)), batch: episodeBatch(2, 3, rng) };
    });
    expect(error, JSON.stringify(worst)).toBeLessThan(1e-6);
  });

  it("a student equal to its teacher has no soft loss and no soft gradient", async () => {
    const algo = protonet(4);
    const params = algo.init(new ks.Rng(3));
    const step = ks.meta.distillation({ algorithm: algo, params }, algo, { hardWeight: 0 }).step(params, episodeBatch(2, 3, new ks.Rng(4)));
    expect(Math.abs((await read(step.loss))[0]!)).toBeLessThan(1e-6);
    const largest = Math.max(...(await Promise.all(Object.values(step.grads).map(async (g) => Math.max(...(await read(g)).map(Math.abs))))));
    expect(largest).toBeLessThan(1e-5);
  });

  it("stores and adapts as the student; says what it expects of teacher, student and settings", () => {
    const teacher = { algorithm: protonet(4), params: protonet(4).init(new ks.Rng(0)) };
    const algo = ks.meta.distillation(teacher, protonet(2));
    expect(algo.name).toBe("protonet");
    expect(algo.options).toEqual({ metric: "euclidean" }); // the student's own options
    expect(algo.adaptation.kind).toBe("prototypes");
    expect(() => ks.meta.distillation(teacher, ks.meta.maml(ks.nn.conv4({ hidden: 2, ways: 3, size: 16 })))).toThrow(/student must adapt without gradient steps.*got maml/);
    expect(() => ks.meta.distillation(teacher, ks.meta.protonet(ks.nn.conv4({ hidden: 2, ways: 0, size: 28 })))).toThrow(/teacher takes inputs \[1, 16, 16\], the student \[1, 28, 28\]/);
    expect(() => ks.meta.distillation(teacher, protonet(2), { temperature: 0 })).toThrow(/expected temperature to be a positive number, got 0/);
    expect(() => ks.meta.distillation(teacher, protonet(2), { hardWeight: -1 })).toThrow(/expected hardWeight to be a non-negative number, got -1/);
    Object.values(teacher.params).forEach((t) => t.dispose());
  });
});
