import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { serializeSafetensors, type SafetensorsEntry } from "../../src/io/safetensors.ts";

/** Checkpoint bytes of a freshly initialised algorithm, with metadata and tensors changed by `edit`. */
async function checkpoint(
  algorithm: string,
  model: ks.nn.Model,
  options: Record<string, string | number | boolean> = {},
  edit: (m: ks.io.CheckpointMetadata, tensors: Map<string, SafetensorsEntry>) => void = () => undefined,
): Promise<Uint8Array> {
  const algo = ks.createAlgorithm(algorithm, model, options);
  const params = algo.init(new ks.Rng(1));
  const metadata: ks.io.CheckpointMetadata = {
    model: { name: model.name, config: model.config },
    algorithm: { name: algorithm, options: ks.algorithmOptions(algo) },
    iteration: 10,
  };
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, t] of Object.entries(params)) tensors.set(name, { dtype: "F32", shape: [...t.shape], data: (await t.data()) as Float32Array });
  for (const t of Object.values(params)) t.dispose();
  edit(metadata, tensors);
  return serializeSafetensors(tensors, ks.io.encodeMetadata(metadata));
}

/** parseCheckpoint must throw `message` and leave no tensor behind. */
function rejects(bytes: Uint8Array, message: RegExp): void {
  const before = ks.memory().tensors;
  expect(() => ks.io.parseCheckpoint(bytes, "c.safetensors")).toThrow(message);
  expect(() => ks.io.parseCheckpoint(bytes)).toThrow(ks.KshotError);
  expect(ks.memory().tensors).toBe(before);
}

const small = () => ks.nn.conv4({ hidden: 2, ways: 3 });

describe("checkpoints checked against their own metadata", () => {
  it("accepts what an algorithm writes, Meta-SGD's step sizes included", async () => {
    for (const [name, model] of [["maml", small()], ["metasgd", small()], ["protonet", ks.nn.conv4({ hidden: 2, ways: 0 })], ["reptile", ks.nn.mlp([1, 4, 1])]] as const) {
      const c = ks.io.parseCheckpoint(await checkpoint(name, model));
      expect(c.metadata.algorithm!.name).toBe(name);
      ks.io.disposeCheckpoint(c);
    }
  });

  it("refuses tensors whose shapes or dtypes differ from model_config, or are missing", async () => {
    rejects(await checkpoint("maml", small(), {}, (_, t) => t.set("conv0.weight", { dtype: "F32", shape: [2, 1, 3, 2], data: new Float32Array(12) })),
      /c.safetensors: parameter conv0.weight: the conv4 of model_config .* expects shape \[2, 1, 3, 3\], the checkpoint has \[2, 1, 3, 2\]/);
    rejects(await checkpoint("maml", small(), {}, (m) => (m.model = { name: "conv4", config: { ...m.model!.config, hidden: 1e9 } })), /expects shape \[1000000000, 1, 3, 3\]/);
    rejects(await checkpoint("maml", small(), {}, (_, t) => t.delete("head.bias")), /has a parameter head.bias \[3\], which the checkpoint lacks/);
    rejects(await checkpoint("maml", small(), {}, (_, t) => t.set("head.bias", { dtype: "I32", shape: [3], data: new Int32Array(3) })), /head.bias: expected a floating-point tensor, found I32/);
    rejects(await checkpoint("maml", small(), {}, (m) => (m.model = { name: "conv4", config: { hidden: "x" } })), /model_config: conv4 config: expected an integer hidden/);
  });

  it("refuses an algorithm that does not fit the model or lacks its own parameters", async () => {
    rejects(await checkpoint("maml", small(), {}, (m) => (m.algorithm = { name: "protonet", options: {} })),
      /protonet uses the model as an embedding, without a head, but the model has head.weight, head.bias/);
    rejects(await checkpoint("metasgd", small(), {}, (_, t) => t.delete("lr.conv0.weight")), /metasgd on this model has a parameter lr.conv0.weight/);
    rejects(await checkpoint("maml", small(), {}, (m) => (m.algorithm = { name: "nope", options: {} })), /unknown algorithm "nope"/);
  });

  it("refuses numbers out of range, and a model whose inputs could never be allocated", async () => {
    const raw = (extra: Record<string, string>) => serializeSafetensors({}, { format: "kshot/1", ...extra });
    rejects(raw({ iteration: "1.5" }), /metadata iteration: expected an integer ≥ 0, found "1.5"/);
    rejects(raw({ iteration: "-3" }), /iteration: expected an integer ≥ 0/);
    rejects(raw({ seconds: "-1" }), /seconds: expected a number ≥ 0/);
    rejects(raw({ seed: "1e300" }), /seed: expected an integer/);
    rejects(await checkpoint("protonet", ks.nn.conv4({ hidden: 2, ways: 0 }), {}, (m) => (m.model = { name: "conv4", config: { ...m.model!.config, size: 1e9 } })),
      /model_config: the conv4 takes inputs \[1, 1000000000, 1000000000\]/);
  });

  it("refuses deeply nested metadata at once (no stack overflow, no slow parse)", () => {
    const deep = "[".repeat(1e6) + "]".repeat(1e6);
    const bytes = serializeSafetensors({}, { format: "kshot/1", history: deep });
    rejects(bytes, /metadata history: expected JSON nested at most 32 levels deep, found 1000000/);
    const nested: Record<string, unknown> = {};
    let at = nested;
    for (let i = 0; i < 40; i++) at = at.x = {} as Record<string, unknown>;
    // What loading would refuse is not written either.
    expect(() => ks.io.encodeMetadata({ history: nested as ks.io.JsonRecord })).toThrow(/metadata history: cannot be written \(expected JSON nested at most 32 levels deep, found 41\)/);
  });

  it("leaves no tensor behind when one tensor has an unsupported dtype", () => {
    const bytes = serializeSafetensors(
      { a: { dtype: "F32", shape: [4], data: new Float32Array(4) }, b: { dtype: "F32", shape: [2], data: new Float32Array(2) }, z: { dtype: "U8", shape: [1], data: new Uint8Array(1) } },
      { format: "kshot/1" },
    );
    for (let i = 0; i < 20; i++) rejects(bytes, /tensor z is U8/);
  });
});
