// The meta-batch is one batched computation: a MAML meta-iteration issues the same number of kernel
// calls (WebGPU dispatches) whatever the number of tasks, allocates no new buffers once warm, and reads
// nothing back but the loss when asked.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { episodeBatch } from "./support.ts";


function counters(): ks.Backend["counters"] {
  return { ...ks.backendInUse().counters };
}

describe("a MAML meta-iteration as one batched computation", () => {
  const model = ks.nn.conv4({ hidden: 4, ways: 5, size: 16 });
  const algo = ks.meta.maml(model, { innerLr: 0.4, innerSteps: 1 });

  async function iteration(params: ks.TensorRecord, batch: ks.meta.TaskBatch, readLoss: boolean) {
    const step = algo.step(params, batch);
    ks.flush();
    const loss = readLoss ? await step.loss.item() : NaN;
    ks.tidy(() => [step.loss, step.accuracy, ...Object.values(step.grads), ...Object.values(step.adapted ?? {})].forEach((t) => t?.dispose()));
    return loss;
  }

  it("issues the same number of kernel calls at meta-batch 2 and 32", async () => {
    const params = algo.init(new ks.Rng(0));
    const calls: number[] = [];
    for (const tasks of [2, 32]) {
      const batch = episodeBatch(tasks, 5, new ks.Rng(tasks));
      await iteration(params, batch, true); // warm (pipelines, pools)
      const before = counters();
      await iteration(params, batch, false);
      calls.push(counters().dispatches - before.dispatches);
      ks.tidy(() => [batch.support.x, batch.support.y, batch.query.x, batch.query.y].forEach((t) => t.dispose()));
    }
    expect(calls[0]).toBeGreaterThan(0);
    expect(calls[1]).toBe(calls[0]);
    Object.values(params).forEach((p) => p.dispose());
  });

  it("allocates nothing new in steady state and reads back only the loss", async () => {
    const params = algo.init(new ks.Rng(1));
    const batch = episodeBatch(4, 5, new ks.Rng(7));
    for (let i = 0; i < 2; i++) await iteration(params, batch, true);
    const before = counters();
    const memoryBefore = ks.memory();
    for (let i = 0; i < 3; i++) await iteration(params, batch, i === 2);
    const after = counters();
    if (ks.getBackendName() === "webgpu") {
      expect(after.allocations - before.allocations).toBe(0);
      // The pool hands out the same buffers each iteration, so every bind group comes from the cache.
      const created = (after as { bindGroupsCreated: number }).bindGroupsCreated - (before as { bindGroupsCreated: number }).bindGroupsCreated;
      expect(created).toBe(0);
    }
    expect(after.bytesReadBack - before.bytesReadBack).toBe(4);
    expect(ks.memory()).toEqual(memoryBefore);
    Object.values(params).forEach((p) => p.dispose());
    ks.tidy(() => [batch.support.x, batch.support.y, batch.query.x, batch.query.y].forEach((t) => t.dispose()));
  });
});
