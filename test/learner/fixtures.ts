/** Tiny glyph-trained checkpoints and glyph tasks for the Learner tests (seconds to train). */
import * as ks from "../../src/index.ts";

export interface GlyphTask {
  support: ks.RawImage[];
  supportLabels: number[];
  query: ks.RawImage[];
  queryLabels: number[];
}

const SIZE = 28;
/** Few glyph classes, so that training and tasks render only a few (rendering a class costs ~16 ms). */
const GLYPHS = { trainClasses: 60, validationClasses: 5, testClasses: 20 };

/**
 * The backend the Learner tests run on: the suite's, except the reference oracle, too slow to train even
 * a tiny Conv-4 in seconds (these tests are about the Learner, not about kernels): wasm instead.
 */
export async function learnerBackend(): Promise<void> {
  if (ks.getBackendName() === "reference") await ks.init({ backend: "wasm" });
}

/** The WebGPU entry point the suite uses (test/setup.ts): Node needs the `webgpu` package's. */
async function suiteGpu(): Promise<GPU | undefined> {
  const g = globalThis as { Deno?: unknown; process?: unknown; document?: unknown };
  if (g.Deno || !g.process || g.document) return undefined;
  const { nodeGPU } = await import("../support/webgpu-node.ts");
  return (await nodeGPU()) ?? undefined;
}

/**
 * Runs `fn` on the wasm backend, then restarts the backend that was running: checkpoints are trained on
 * wasm whatever the suite's backend (software WebGPU takes minutes to train even a tiny model), and the
 * Learner is then tested on the suite's backend. No tensor may be alive across the switch.
 */
async function onWasm<T>(fn: () => Promise<T>): Promise<T> {
  const running = ks.getBackendName() as ks.BackendName;
  if (running === "wasm") return fn();
  await ks.init({ backend: "wasm" });
  try {
    return await fn();
  } finally {
    await ks.init({ backend: running, gpu: running === "webgpu" ? await suiteGpu() : undefined });
  }
}

/** One glyph example as a float image (ink = 1), as the Learner takes it from a page or a file. */
function example(source: ks.data.ClassSource, c: number, e: number): ks.RawImage {
  const data = new Float32Array(SIZE * SIZE);
  source.writeExample(c, e, data, 0);
  return { data, width: SIZE, height: SIZE };
}

/**
 * A task of `ways` test-split glyph classes (from `first`), `shots` support and `queries` query examples
 * each; `glyphs` picks the split (default: the small one the tiny checkpoints train on).
 */
export function glyphTask(ways: number, shots: number, queries: number, first = 0, glyphs: ks.data.GlyphOptions = GLYPHS): GlyphTask {
  const test = ks.data.glyphs(glyphs).test;
  const task: GlyphTask = { support: [], supportLabels: [], query: [], queryLabels: [] };
  for (let w = 0; w < ways; w++) {
    for (let e = 0; e < shots + queries; e++) {
      const image = example(test, first + w, e);
      if (e < shots) {
        task.support.push(image);
        task.supportLabels.push(w);
      } else {
        task.query.push(image);
        task.queryLabels.push(w);
      }
    }
  }
  return task;
}

export interface TinyOptions {
  iterations?: number;
  hidden?: number;
  ways?: number;
  evaluation?: Record<string, number>;
}

/** Checkpoint bytes of `name` meta-trained briefly on glyphs (Conv-4 with `hidden` filters, 5-way 1-shot). */
export async function tinyCheckpoint(name: string, o: TinyOptions = {}): Promise<Uint8Array> {
  const ways = o.ways ?? 5;
  const hidden = o.hidden ?? 8;
  const embedding = ["protonet", "matchingnet", "finetune"].includes(name);
  const model = ks.nn.conv4({ hidden, ways: embedding ? 0 : ways });
  const options: Record<string, number | string | boolean> = name === "finetune" ? { numClasses: GLYPHS.trainClasses, steps: 30, lr: 0.1 } : name === "reptile" ? { innerLr: 0.1, innerSteps: 2, evalSteps: 5 } : {};
  const algo = ks.createAlgorithm(name, model, options);
  const tasks = ks.data.tasks(ks.data.glyphs(GLYPHS).train, { ways, shots: 1, queries: 2, seed: 1 });
  return onWasm(async () => {
    let bytes: Uint8Array | undefined;
    const r = await ks.train(algo, tasks, {
      iterations: o.iterations ?? 10, metaBatch: 2, metaLr: 0.005, logEvery: 10,
      checkpoint: { write: (b) => void (bytes = b), metadata: { evaluation: { ways, shots: 1, queries: 5, ...(o.evaluation ?? {}) }, data: { dataset: "glyphs" } } },
    });
    for (const t of Object.values(r.params)) t.dispose();
    return bytes!;
  });
}

export const accuracyOf = (predicted: ks.Prediction[], truth: ks.ClassLabel[]) => predicted.filter((p, i) => p.label === truth[i]).length / truth.length;

/** Each prediction's probabilities in class order (for labels 0..N−1: integer keys enumerate in increasing order). */
export const probabilityRows = (predicted: ks.Prediction[]) => predicted.map((p) => Object.values(p.probabilities));

/** Checkpoint bytes of an untrained `name` on a small Conv-4 (instant; for tests of errors and plumbing). */
export async function untrainedCheckpoint(name: string, ways = 5, extra: Record<string, number | string | boolean> = {}): Promise<Uint8Array> {
  const embedding = ["protonet", "matchingnet", "finetune"].includes(name);
  const model = ks.nn.conv4({ hidden: 4, ways: embedding ? 0 : ways });
  const algo = ks.createAlgorithm(name, model, name === "finetune" ? { numClasses: 10, ...extra } : extra);
  const params = algo.init(new ks.Rng(0));
  const bytes = await ks.io.serialize(params, {
    metadata: { model: { name: model.name, config: model.config }, algorithm: { name: algo.name, options: ks.algorithmOptions(algo) } },
  });
  for (const t of Object.values(params)) t.dispose();
  return bytes;
}
