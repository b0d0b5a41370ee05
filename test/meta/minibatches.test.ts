import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

const { examplesPerGroup, joinByGroup, minibatch } = ks.meta;

/** One task, 2 classes × 3 examples, each example [2] holding (class, index) so the picks are readable. */
const x = ks.tensor([0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 2], [1, 6, 2]);
const y = ks.tensor(new Int32Array([0, 0, 0, 1, 1, 1]), [1, 6], "int32");

describe("minibatches", () => {
  it("takes m examples of every class per step, cycling through each class's examples", async () => {
    const rows = async (step: number, m: number) => Array.from(await minibatch({ x, y }, 2, m, step).x.data());
    expect(await rows(0, 2)).toEqual([0, 0, 0, 1, 1, 0, 1, 1]);
    // Step 1 wraps around: example 2, then example 0 again, of each class.
    expect(await rows(1, 2)).toEqual([0, 2, 0, 0, 1, 2, 1, 0]);
    expect(await rows(4, 1)).toEqual([0, 1, 1, 1]);
    expect(Array.from(await minibatch({ x, y }, 2, 2, 1).y.data())).toEqual([0, 0, 1, 1]);
    expect(minibatch({ x, y }, 2, 2, 0).x.shape).toEqual([1, 4, 2]);
  });

  it("joins support and query class by class", async () => {
    const support = { x: ks.tensor([10, 20], [1, 2, 1]), y: ks.tensor(new Int32Array([0, 1]), [1, 2], "int32") };
    const query = { x: ks.tensor([11, 12, 21, 22], [1, 4, 1]), y: ks.tensor(new Int32Array([0, 0, 1, 1]), [1, 4], "int32") };
    const joined = joinByGroup(support, query, 2);
    expect(Array.from(await joined.x.data())).toEqual([10, 11, 12, 20, 21, 22]);
    expect(Array.from(await joined.y.data())).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it("uses the full batch when a minibatch would hold every example, and names a batch that cannot be balanced", () => {
    expect(examplesPerGroup(10, 5, 10, "b")).toBe(2);
    expect(examplesPerGroup(10, 5, 2, "b")).toBeUndefined();
    expect(() => examplesPerGroup(7, 5, 10, "reptile innerBatch")).toThrow(/reptile innerBatch: expected a positive multiple of the 5 classes per task .* got 7/);
  });
});
