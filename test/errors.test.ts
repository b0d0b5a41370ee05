// The bad-input table of the public API: each call throws a KshotError naming the problem, at once, and
// leaves no tensor behind. The same table runs in Node, Deno and Chromium.
import { describe, expect, it } from "vitest";
import * as ks from "../src/index.ts";
import { ihdr, pngFile } from "./data/png-bytes.ts";

const glyphs = () => ks.data.glyphs({ trainClasses: 6, validationClasses: 2, testClasses: 2 }).train;

const TABLE: [string, () => unknown, RegExp][] = [
  ["checkpoint of 3 bytes", () => ks.io.parseCheckpoint(new Uint8Array(3)), /expected at least 8 bytes/],
  ["checkpoint that is not bytes", () => ks.io.parseCheckpoint(null as unknown as Uint8Array), /expected the checkpoint's bytes as a Uint8Array, got null/],
  ["checkpoint iteration 1.5", () => ks.io.decodeMetadata({ format: "kshot/1", iteration: "1.5" }), /iteration: expected an integer ≥ 0, found "1.5"/],
  ["metadata nested 100,000 deep", () => ks.io.decodeMetadata({ format: "kshot/1", state: "[".repeat(1e5) }), /nested at most 32 levels/],
  ["load from a number", () => ks.io.load(42 as unknown as string), /expected bytes, a path or a URL/],
  ["PNG bomb header", () => ks.data.decodeImage(pngFile([ihdr(2 ** 31 - 1, 1)]), "bomb.png"), /bomb.png: the header says 2147483647×1/],
  ["image limit not an integer", () => ks.data.decodeImage(new Uint8Array(8), "x", { maxPixels: 0.5 }), /maxPixels to be a positive integer/],
  ["image folder without images", () => ks.data.imageFolderFromImages([]), /at least one image/],
  ["image folder of 2^20 × 2^20", () => ks.data.imageFolderFromImages([], { size: 2 ** 20 }), /more than the 67108864 pixels/],
  ["Omniglot index of null", () => ks.data.omniglotFromCompact(new Uint8Array(0), "null"), /to be an object, got null/],
  ["Omniglot index not JSON", () => ks.data.omniglotFromCompact(new Uint8Array(0), "{"), /invalid JSON/],
  ["episodes with −1 queries", () => ks.data.tasks(glyphs(), { ways: 2, shots: 1, queries: -1 }), /queries to be an integer >= 0/],
  ["a meta-batch of 10^9 episodes", () => ks.data.tasks(glyphs(), { ways: 5, shots: 1, queries: 1 }).nextBatch(1e9), /a batch of 1000000000 5-way 1-shot 1-query episodes of 784 values: shape .* a tensor holds at most/],
  ["tensor of 2^50 elements", () => ks.zeros([2 ** 25, 2 ** 25]), /cannot allocate|out of memory/],
  ["conv4 of hidden 100000", () => ks.nn.conv4({ hidden: 100000 }).init(new ks.Rng(0)), /cannot initialise a parameter: shape \[100000, 100000, 3, 3\] has 90000000000 elements; a tensor holds at most 2147483648/],
  ["labels beyond the examples", () => ks.data.tasks(glyphs(), { ways: 7, shots: 1, queries: 1 }), /7-way episodes need 7 classes, the data has 6/],
  ["conv4 of hidden 0", () => ks.nn.conv4({ hidden: 0 }), /conv4: expected hidden to be a positive integer, got 0/],
  ["algorithm unknown", () => ks.createAlgorithm("nope", ks.nn.mlp([1, 2])), /unknown algorithm "nope"/],
];

describe("the public API refuses bad input with a KshotError", () => {
  for (const [what, call, message] of TABLE) {
    it(what, async () => {
      const before = ks.memory().tensors;
      const err = await (async () => call())().then(() => undefined, (e: unknown) => e);
      expect(err, `${what}: ${String(err)}`).toBeInstanceOf(ks.KshotError);
      expect((err as Error).message).toMatch(message);
      expect(ks.memory().tensors).toBe(before);
    });
  }

  it("an empty query set never reaches a kernel", () => {
    const algo = ks.meta.protonet(ks.nn.conv4({ hidden: 2, ways: 0, size: 16 }));
    const params = algo.init(new ks.Rng(0));
    const batch = {
      support: { x: ks.zeros([1, 2, 1, 16, 16]), y: ks.tensor([0, 1], [1, 2], "int32") },
      query: { x: ks.zeros([1, 0, 1, 16, 16]), y: ks.zeros([1, 0], "int32") },
      ways: 2,
    };
    const before = ks.memory().tensors;
    expect(() => algo.step(params, batch)).toThrow(/expected query examples to predict \(queries ≥ 1\), got query \[1, 0, 1, 16, 16\]/);
    expect(() => algo.evaluate(params, batch)).toThrow(ks.KshotError);
    expect(ks.memory().tensors).toBe(before);
    for (const t of [...Object.values(params), batch.support.x, batch.support.y, batch.query.x, batch.query.y]) t.dispose();
  });
});
