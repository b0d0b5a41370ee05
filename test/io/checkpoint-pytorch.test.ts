// kshot checkpoints across PyTorch and kshot, both ways (fixtures: tools/pytorch/make_fixtures.py).
// PyTorch computed every expected value in float64 from the float32 checkpoint; kshot must agree within
// 1e-4 on its backend.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { parseSafetensors, type SafetensorsEntry } from "../../src/io/safetensors.ts";
import { readRepoBytes } from "../support/repo-files.ts";

const DIR = "test/io/pytorch-interop";
const TOLERANCE = 1e-4;

async function fixture(name: string) {
  const checkpoint = await readRepoBytes(`${DIR}/${name}.safetensors`);
  const { tensors } = parseSafetensors(await readRepoBytes(`${DIR}/${name}.expected.safetensors`), `${name}.expected`);
  const get = (key: string): SafetensorsEntry => {
    const t = tensors.get(key);
    if (!t) throw new Error(`${name}.expected lacks ${key}`);
    return t;
  };
  return { checkpoint, tensors, get };
}

function worstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

/** Loads the checkpoint, adapts on the fixture's support set, predicts its queries and compares. */
async function adaptAndCompare(name: string): Promise<ks.Learner> {
  const { checkpoint, tensors, get } = await fixture(name);
  const learner = await ks.Learner.load(checkpoint);
  const x = get("support.x");
  const q = get("query.x");
  const support = ks.tensor(x.data as Float32Array, x.shape);
  const query = ks.tensor(q.data as Float32Array, q.shape);
  try {
    const adaptation = await learner.adapt(support, get("support.y").data as Int32Array);
    expect(Math.abs(adaptation.loss - (get("expected.loss").data as Float64Array)[0]!), "support loss").toBeLessThanOrEqual(TOLERANCE);
    const { probabilities } = await learner.predict(query);
    const flat = Float64Array.from(probabilities.flatMap((row) => Array.from(row)));
    expect(worstDifference(flat, get("expected.probabilities").data as Float64Array), "probabilities").toBeLessThanOrEqual(TOLERANCE);
    const adapted = [...tensors.keys()].filter((k) => k.startsWith("expected.adapted."));
    if (adapted.length > 0) {
      // The adapted weights, as the learner saves them (`learner.weights.<name>`, with a task axis of 1).
      const saved = parseSafetensors(await learner.save()).tensors;
      for (const key of adapted) {
        const param = key.slice("expected.adapted.".length);
        const mine = saved.get(`learner.weights.${param}`);
        expect(mine, `adapted ${param} saved`).toBeDefined();
        expect(worstDifference(mine!.data as Float32Array, get(key).data as Float64Array), `adapted ${param}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  } finally {
    support.dispose();
    query.dispose();
  }
  return learner;
}

describe("PyTorch → kshot: ks.Learner on checkpoints PyTorch wrote", () => {
  it("a MAML Conv-4: the same adaptation (weights, support loss) and predictions", async () => {
    const learner = await adaptAndCompare("pytorch-maml");
    expect(learner.algorithm).toBe("maml");
    learner.dispose();
  });

  it("a ProtoNet Conv-4: the same prototypes' predictions", async () => {
    const learner = await adaptAndCompare("pytorch-protonet");
    expect(learner.algorithm).toBe("protonet");
    learner.dispose();
  });
});

describe("kshot → PyTorch: a checkpoint kshot train wrote, loaded into the PyTorch Conv-4", () => {
  it("PyTorch's recorded adaptation and predictions are what kshot computes from the same file", async () => {
    const learner = await adaptAndCompare("kshot-maml");
    const { checkpoint } = await fixture("kshot-maml");
    expect(parseSafetensors(checkpoint).metadata.format).toBe(ks.io.CHECKPOINT_FORMAT);
    learner.dispose();
  });
});
