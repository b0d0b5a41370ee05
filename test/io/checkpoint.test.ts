import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { serializeSafetensors } from "../../src/io/safetensors.ts";
import { readFileBytes, writeFileAtomic } from "../../src/io/files.ts";
import { hasFileSystem, scratchDirectory } from "./io-paths.ts";
const { decodeMetadata, encodeMetadata, load, parseCheckpoint, save, serialize } = ks.io;

const params = () => ({ "conv0.weight": ks.tensor([1.5, -2, 3e-8, 4], [2, 2]), steps: ks.tensor([7, 8], [2], "int32") });

describe("checkpoints", () => {
  it("round-trips parameters, optimizer state and metadata through bytes", async () => {
    const metadata = {
      model: { name: "my-model", config: { hidden: 4, ways: 5, channels: 1, size: 28 } }, // not built in: not checked against the tensors
      algorithm: { name: "maml", options: { innerLr: 0.4, innerSteps: 1, evalSteps: 3, firstOrder: false } },
      training: { metaBatch: 32, ways: 5, shots: 1, queries: 1 },
      evaluation: { ways: 5, shots: 1, queries: 15, steps: 3 },
      data: { dataset: "omniglot", split: "vinyals" },
      seed: 7, iteration: 1200, seconds: 12.5,
      state: { sampler: [1, 2, 3, 4] },
      extra: { note: "hello" },
    };
    const bytes = await serialize(params(), { metadata, optimizer: { step: ks.scalar(3), "exp_avg.conv0.weight": ks.zeros([2, 2]) } });
    const c = parseCheckpoint(bytes);
    expect(Object.keys(c.params)).toEqual(["conv0.weight", "steps"]);
    expect(Array.from((await c.params["conv0.weight"]!.data()))).toEqual(Array.from(new Float32Array([1.5, -2, 3e-8, 4])));
    expect(c.params.steps!.dtype).toBe("int32");
    expect(Object.keys(c.optimizer!)).toEqual(["step", "exp_avg.conv0.weight"]);
    expect(c.metadata).toEqual(metadata);
  });

  it("stores the checkpoint metadata as strings with format kshot/1", () => {
    const raw = encodeMetadata({ model: { name: "mlp", config: { sizes: "1,40,40,1" } }, iteration: 5 });
    expect(raw).toEqual({ format: "kshot/1", model: "mlp", model_config: '{"sizes":"1,40,40,1"}', iteration: "5" });
    expect(() => encodeMetadata({ extra: { format: "x" } })).toThrow(/extra key "format"/);
  });

  it("refuses files that are not kshot checkpoints, naming the source", async () => {
    const plain = serializeSafetensors({ w: { dtype: "F32", shape: [1], data: new Float32Array([1]) } }, { format: "pt" });
    expect(() => parseCheckpoint(plain, "model.safetensors")).toThrow(/model.safetensors: expected a kshot checkpoint \(__metadata__ format "kshot\/1"\), found format "pt"/);
    const none = serializeSafetensors({ w: { dtype: "F32", shape: [1], data: new Float32Array([1]) } });
    expect(() => parseCheckpoint(none)).toThrow(/found no format/);
    expect(() => parseCheckpoint(new Uint8Array([1, 2, 3]))).toThrow(/at least 8 bytes/);
    expect(() => decodeMetadata({ format: "kshot/1", iteration: "many" })).toThrow(/iteration: expected a number, found "many"/);
    expect(() => decodeMetadata({ format: "kshot/1", training: "[1]" })).toThrow(/training: expected a JSON object/);
    const u8 = serializeSafetensors({ w: { dtype: "U8", shape: [1], data: new Uint8Array([1]) } }, { format: "kshot/1" });
    expect(() => parseCheckpoint(u8)).toThrow(/tensor w is U8/);
    await expect(serialize({ "optimizer.x": ks.scalar(1) })).rejects.toThrow(/reserved for the optimizer/);
  });

  if (hasFileSystem) {
    it("saves atomically to a file and loads from a path or a file: URL", async () => {
      const dir = await scratchDirectory("checkpoint");
      const path = `${dir}/model.safetensors`;
      await save(params(), path, { metadata: { iteration: 3 } });
      const byPath = await load(path);
      expect(byPath.metadata.iteration).toBe(3);
      const byUrl = await load(new URL(`file://${path}`));
      expect(Array.from((await byUrl.params["conv0.weight"]!.data()))).toEqual(Array.from((await byPath.params["conv0.weight"]!.data())));
      expect((await readFileBytes(path)).length).toBeGreaterThan(8);
    });

    it("says which file it could not read", async () => {
      const dir = await scratchDirectory("checkpoint-missing");
      await expect(load(`${dir}/absent.safetensors`)).rejects.toThrow(/absent.safetensors/);
      await writeFileAtomic(`${dir}/junk.safetensors`, "not a checkpoint at all");
      await expect(load(`${dir}/junk.safetensors`)).rejects.toThrow(/junk.safetensors: /);
    });
  }
});
