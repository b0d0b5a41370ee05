/**
 * The two short training runs whose results must be bit-identical in Node, Deno and Chromium, and the
 * hash that names their parameters. Shared by the test (training-hash.test.ts) and the script that
 * regenerates the expected hashes (scripts/update-determinism.mjs). Runs on whatever backend is active;
 * the test makes it wasm with the default `deterministic: true`.
 */
import * as ks from "../../src/index.ts";

/** What one run leaves behind: the hashes of the parameters before and after, and the loss at each iteration. */
export interface RunResult {
  initialHash: string;
  finalHash: string;
  losses: number[];
}

export interface DeterminismRun {
  /** Key in expected-hashes.ts. */
  name: string;
  /** The settings in words, for messages. */
  description: string;
  run(): Promise<RunResult>;
}

export const SEED = 7;
export const ITERATIONS = 20;

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * SHA-256 over every parameter in name order: the name's UTF-8 bytes, a NUL, the shape as int32s, then the
 * raw bytes of its values (every float's bits, so −0 and NaN payloads count).
 */
export async function hashParams(params: ks.TensorRecord): Promise<string> {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const name of Object.keys(params).sort()) {
    const t = params[name]!;
    const values = await t.data();
    parts.push(encoder.encode(`${name}\0`), new Uint8Array(Int32Array.from(t.shape).buffer));
    parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return hex(await crypto.subtle.digest("SHA-256", all));
}

function dispose(r: ks.TensorRecord): void {
  for (const t of Object.values(r)) t.dispose();
}

/** `iterations` of ks.train from the algorithm's seeded initialisation, reading the loss at every one. */
async function trainAndHash(algo: ks.meta.MetaAlgorithm, tasks: ks.data.TaskSampler, metaBatch: number): Promise<RunResult> {
  const initial = ks.tidy(() => algo.init(new ks.Rng(SEED)));
  const initialHash = await hashParams(initial);
  const r = await ks.train(algo, tasks, { params: initial, iterations: ITERATIONS, metaBatch, metaLr: 3e-3, logEvery: 1 });
  const finalHash = await hashParams(r.params);
  dispose(initial);
  dispose(r.params);
  return { initialHash, finalHash, losses: r.history.map((p) => p.loss) };
}

/** Glyphs with few examples per class: the classes an episode draws are rendered on first use. */
const glyphTrain = () => ks.data.glyphs({ seed: SEED, examplesPerClass: 6 }).train;

export const RUNS: DeterminismRun[] = [
  {
    name: "maml",
    description: `second-order MAML, Conv-4 hidden 8, glyphs 5-way 1-shot 2-query, meta-batch 4, 1 inner step, ${ITERATIONS} iterations`,
    run: () => {
      const algo = ks.meta.maml(ks.nn.conv4({ hidden: 8, ways: 5 }), { innerLr: 0.4, innerSteps: 1 });
      return trainAndHash(algo, ks.data.tasks(glyphTrain(), { ways: 5, shots: 1, queries: 2, seed: SEED }), 4);
    },
  },
  {
    name: "protonet",
    description: `ProtoNet, Conv-4 hidden 8 (embedding), glyphs 20-way 1-shot 2-query, meta-batch 1, ${ITERATIONS} iterations`,
    run: () => {
      const algo = ks.meta.protonet(ks.nn.conv4({ hidden: 8, ways: 0 }));
      return trainAndHash(algo, ks.data.tasks(glyphTrain(), { ways: 20, shots: 1, queries: 2, seed: SEED }), 1);
    },
  },
];
