import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { clusterTasks, sineTasks } from "./fixtures.ts";
const { BatchStream, disposeTaskBatch, episodeTensors, isClassification, sinusoidTensors } = ks;

describe("task batches from host episodes", () => {
  it("lays classification episodes out as [T, N·K, ...] int32 labels with source classes", async () => {
    const host = clusterTasks(1, 3, 2, 1).nextBatch(4);
    const b = episodeTensors(host);
    expect(b.support.x.shape).toEqual([4, 6, 1, 1, 4]);
    expect(b.support.y.shape).toEqual([4, 6]);
    expect(b.support.y.dtype).toBe("int32");
    expect(b.query.x.shape).toEqual([4, 3, 1, 1, 4]);
    expect(b.classes.shape).toEqual([4, 3]);
    expect(Array.from((await b.support.y.data())).slice(0, 6)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from((await b.classes.data()))).toEqual(Array.from(host.classes));
    expect(b.ways).toBe(3);
    expect(Array.from((await b.support.x.data()))).toEqual(Array.from(host.support));
    disposeTaskBatch(b);
  });

  it("reshapes images to the model's input shape, or says why it cannot", () => {
    const host = clusterTasks().nextBatch(1);
    expect(episodeTensors(host, [4]).support.x.shape).toEqual([1, 3, 4]);
    expect(() => episodeTensors(host, [1, 28, 28])).toThrow(/inputs of shape \[1, 28, 28\] \(784 values\), the data has images \[1, 1, 4\] \(4 values\)/);
  });

  it("lays sinusoid tasks out as float [T, K, 1]", async () => {
    const host = sineTasks(1, 5).nextBatch(3);
    const b = sinusoidTensors(host);
    expect(b.support.x.shape).toEqual([3, 5, 1]);
    expect(b.query.y.shape).toEqual([3, 5, 1]);
    expect(b.support.y.dtype).toBe("float32");
    expect(Array.from((await b.query.y.data()))).toEqual(Array.from(host.yQuery));
  });

  it("streams batches that follow the sampler's own sequence", async () => {
    const a = new BatchStream(clusterTasks(5), [4]);
    const reference = clusterTasks(5);
    for (let i = 0; i < 3; i++) {
      const b = a.next(2);
      expect(Array.from((await b.query.x.data()))).toEqual(Array.from(reference.nextBatch(2).query));
      disposeTaskBatch(b);
    }
    expect(isClassification(clusterTasks())).toBe(true);
    expect(isClassification(sineTasks())).toBe(false);
  });
});
