import { describe, expect, it } from "vitest";
import * as ks from "../src/index.ts";
import { disposeTensors, forEachTensor, mapRecord, mapTensors } from "../src/tree.ts";

describe("tree: records and structures of tensors", () => {
  it("visits every tensor in arrays and plain objects, and nothing else", () => {
    const a = ks.scalar(1);
    const b = ks.scalar(2);
    const c = ks.scalar(3);
    const seen: unknown[] = [];
    forEachTensor({ a, list: [b, { c, n: 4, s: "x" }], none: undefined, date: new Date(0) }, (t) => seen.push(t));
    expect(seen).toEqual([a, b, c]);
    disposeTensors([a, b, c]);
  });

  it("maps tensors keeping the structure, and records keeping their keys", async () => {
    const tree = { w: ks.tensor([1, 2]), rest: [ks.tensor([3]), 7] as const };
    const doubled = mapTensors(tree, (t) => ks.mul(t as ks.Tensor, 2));
    expect(Array.from(await doubled.w.data())).toEqual([2, 4]);
    expect(Array.from(await (doubled.rest[0] as ks.Tensor).data())).toEqual([6]);
    expect(doubled.rest[1]).toBe(7);
    expect(mapRecord({ x: 1, y: 2 }, (v, k) => `${k}${v}`)).toEqual({ x: "x1", y: "y2" });
  });

  it("disposes every tensor of a tree, and keep keeps a whole tree out of tidy", () => {
    const start = ks.memory().tensors;
    const kept = ks.tidy(() => {
      const inner = { a: ks.scalar(1), b: [ks.scalar(2)] };
      ks.keep(inner);
      ks.scalar(3);
      return undefined;
    });
    expect(kept).toBeUndefined();
    expect(ks.memory().tensors).toBe(start + 2);
    const made = { p: ks.scalar(1), q: [ks.scalar(2), ks.scalar(3)] };
    disposeTensors(made);
    expect(ks.memory().tensors).toBe(start + 2);
  });
});
