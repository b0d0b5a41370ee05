// Fuzzes the safetensors/checkpoint reader: every hostile file gives a checkpoint or a KshotError, and no
// tensor outlives a rejected one.
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { Rng } from "../../src/rng.ts";
import { concat, fuzz, fuzzCases, mutate, randomJson } from "./harness.ts";

const DTYPES = ["F32", "F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "X"];

/** Valid checkpoints to start from: a Conv-4 ProtoNet, an MLP Meta-SGD with optimizer state. */
async function seeds(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [name, model] of [["protonet", ks.nn.conv4({ hidden: 2, ways: 0, size: 16 })], ["metasgd", ks.nn.mlp([2, 3, 2])]] as const) {
    const algo = ks.createAlgorithm(name, model, {});
    const params = algo.init(new ks.Rng(0));
    const metadata: ks.io.CheckpointMetadata = {
      model: { name: model.name, config: model.config }, algorithm: { name, options: ks.algorithmOptions(algo) },
      iteration: 3, seed: 1, seconds: 0.5, history: { validation: [{ iteration: 1, accuracy: 0.5 }] },
    };
    out.push(await ks.io.serialize(params, { metadata, optimizer: { step: ks.scalar(3, "int32") } }));
    for (const t of Object.values(params)) t.dispose();
  }
  return out;
}

/** The header as JSON and the data section after it (the seeds are well-formed). */
function split(bytes: Uint8Array): { header: Record<string, Record<string, unknown>>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

function join(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat(length, json, data);
}

/** A structural edit that keeps the file parseable as far as the header, to reach deeper checks. */
function editHeader(bytes: Uint8Array, rng: Rng): Uint8Array {
  const { header, data } = split(bytes);
  const names = Object.keys(header);
  const name = names[rng.int(names.length)]!;
  const entry = header[name]!;
  const keys = Object.keys(entry);
  const key = keys[rng.int(keys.length)]!;
  if (name === "__metadata__") {
    const value = String(entry[key]);
    const choices = [
      () => JSON.stringify(randomJson(rng, 3)),
      () => new TextDecoder().decode(mutate(new TextEncoder().encode(value), rng)),
      () => value.replace(/\d+/, String([0, -1, 1.5, 1e9, 2 ** 31, NaN][rng.int(6)])),
      () => "[".repeat(rng.int(3) ? 40 : 100_000),
    ];
    entry[key] = choices[rng.int(choices.length)]!();
  } else if (key === "dtype") entry.dtype = DTYPES[rng.int(DTYPES.length)];
  else if (key === "shape") entry.shape = rng.int(3) ? (entry.shape as number[]).map((d) => (rng.int(3) ? d : rng.int(5))) : randomJson(rng);
  else entry[key] = rng.int(2) ? (entry[key] as number[]).map((o) => o + rng.int(9) - 4) : randomJson(rng);
  if (rng.int(8) === 0) delete header[names[rng.int(names.length)]!];
  return join(header, rng.int(6) ? data : mutate(data, rng));
}

describe("fuzz: checkpoint reader", () => {
  let valid: Uint8Array[];
  beforeAll(async () => {
    valid = await seeds();
  });

  it("gives a checkpoint or a KshotError for hostile files, leaking nothing", async () => {
    const before = ks.memory().tensors;
    const r = await fuzz("checkpoint", 18, fuzzCases(800), ks.KshotError, (rng) => {
      const seed = valid[rng.int(valid.length)]!;
      const bytes = rng.int(2) ? mutate(seed, rng) : editHeader(seed, rng);
      try {
        ks.io.disposeCheckpoint(ks.io.parseCheckpoint(bytes, "fuzz.safetensors"));
      } finally {
        expect(ks.memory().tensors).toBe(before);
      }
    });
    // The fuzzer reaches both outcomes (it is not only producing garbage, nor only the seeds).
    expect(r.rejected).toBeGreaterThan(r.cases / 4);
    expect(r.accepted).toBeGreaterThan(0);
  });
});
