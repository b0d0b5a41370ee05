// Learner.adapt(x, y, { accumulate: true }): examples added to the adapted task one batch at a time
// (ProtoNet with the Mahalanobis metric), its errors, save/load of the accumulated state, flat memory.
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { glyphTask, learnerBackend, probabilityRows, untrainedCheckpoint } from "./fixtures.ts";

const names = ["alpha", "beta", "gamma"];

describe("Learner accumulate", () => {
  beforeAll(learnerBackend);
  const task = glyphTask(3, 3, 2);
  // Class-major: 3 examples of each class; the first adaptation takes the first of each, then the rest.
  const pick = (shots: number[]) => ({
    x: task.support.filter((_, i) => shots.includes(i % 3)),
    y: task.support.flatMap((_, i) => (shots.includes(i % 3) ? [names[Math.floor(i / 3)]!] : [])),
  });

  it("adds examples of known classes: predictions change, classes stay, the saved learner predicts the same", async () => {
    const learner = await ks.Learner.load(await untrainedCheckpoint("protonet", 5, { metric: "mahalanobis" }));
    const one = pick([0]);
    await learner.adapt(one.x, one.y);
    const before = probabilityRows(await learner.predict(task.query));
    const more = pick([1, 2]);
    const r = await learner.adapt(more.x.slice(0, 4), more.y.slice(0, 4), { accumulate: true });
    expect(r).toMatchObject({ steps: 0, ways: 3 });
    expect(learner.classes).toEqual(names);
    const after = probabilityRows(await learner.predict(task.query));
    expect(after).not.toEqual(before);
    const again = await ks.Learner.load(await learner.save());
    expect(probabilityRows(await again.predict(task.query))).toEqual(after);
    again.dispose();
    learner.dispose();
  });

  it("refuses before a first adaptation, for unknown labels, and where the algorithm cannot accumulate", async () => {
    const learner = await ks.Learner.load(await untrainedCheckpoint("protonet", 5, { metric: "mahalanobis" }));
    const one = pick([0]);
    await expect(learner.adapt(one.x, one.y, { accumulate: true })).rejects.toThrow("adapt once without it first");
    await learner.adapt(one.x, one.y);
    await expect(learner.adapt(one.x.slice(0, 1), ["delta"], { accumulate: true })).rejects.toThrow('classes ("alpha", "beta", "gamma"); got "delta" at 0');
    await expect(learner.adapt(one.x, one.y, { accumulate: true, steps: 2 })).rejects.toThrow("steps and lr do not apply");
    learner.dispose();
    const euclidean = await ks.Learner.load(await untrainedCheckpoint("protonet"));
    await euclidean.adapt(one.x, one.y);
    await expect(euclidean.adapt(one.x, one.y, { accumulate: true })).rejects.toThrow('protonet (prototypes) cannot add examples to an adapted task; ProtoNet with metric "mahalanobis" can');
    euclidean.dispose();
  });

  it("memory stays flat over accumulate/predict cycles", async () => {
    const learner = await ks.Learner.load(await untrainedCheckpoint("protonet", 5, { metric: "mahalanobis" }));
    const one = pick([0]);
    await learner.adapt(one.x, one.y);
    const cycle = async () => {
      await learner.adapt(one.x, one.y, { accumulate: true });
      await learner.predict(task.query);
    };
    await cycle();
    const before = ks.memory();
    for (let i = 0; i < 3; i++) await cycle();
    expect(ks.memory()).toEqual(before);
    learner.dispose();
  });
});
