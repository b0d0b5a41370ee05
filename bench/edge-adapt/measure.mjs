// The edge-adaptation measurement itself, the same code in Node, Deno and Chromium (each runner hands it
// the kshot module and the bytes): a 5-way 5-shot task, wasm backend (deterministic: true, the default;
// task.deterministic false runs the fast mode).
//
// - MAML-family checkpoint: Learner.adapt with 10 SGD steps (lr 0.4, as the PyTorch peer) on the 25
//   support images, then predict the 75 queries (probabilities read back). One adaptation = both.
// - ProtoNet checkpoint: Learner.adapt (prototypes of the 25 support images), then predict the 75 queries.
// Each is timed from typed arrays to probabilities on the host (tensor creation included), warm-up first,
// then the median of several runs (MAML_RUNS, PROTO_RUNS).

import { runtimeVersion } from "../runtime-version.mjs";

/** @typedef {{ support: Float32Array, labels: Int32Array, query: Float32Array, size: number, deterministic: boolean }} Task */

// Runs per measurement: bounded by time too, so one bench invocation stays within a few minutes on a busy machine.
const MAML_RUNS = { warmup: 1, minReps: 3, maxReps: 15, budgetMs: 20_000 };
const PROTO_RUNS = { warmup: 3, minReps: 5, maxReps: 30, budgetMs: 5_000 };

const tenths = (v) => Math.round(v * 10) / 10;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Times `once` (async): `warmup` untimed runs, then at least `minReps` timed ones, more (up to `maxReps`)
 * while the timed runs took less than `budgetMs` in all. Milliseconds of each timed run.
 */
async function timeRuns(once, { warmup, minReps, maxReps, budgetMs }) {
  for (let i = 0; i < warmup; i++) await once();
  const ms = [];
  let spent = 0;
  while (ms.length < minReps || (ms.length < maxReps && spent < budgetMs)) {
    const t = performance.now();
    await once();
    ms.push(performance.now() - t);
    spent += ms.at(-1);
  }
  return ms;
}

/**
 * One adaptation then the prediction of the queries; `split` (when given) receives the milliseconds of
 * each half.
 */
async function adaptAndPredict(ks, learner, task, adaptOptions, split) {
  const { support, labels, query, size } = task;
  const start = performance.now();
  const x = ks.tensor(support, [labels.length, 1, size, size]);
  try {
    await learner.adapt(x, labels, adaptOptions);
  } finally {
    x.dispose();
  }
  const adapted = performance.now();
  const q = ks.tensor(query, [query.length / (size * size), 1, size, size]);
  try {
    await learner.predict(q);
  } finally {
    q.dispose();
  }
  split?.push([adapted - start, performance.now() - adapted]);
}

/**
 * Runs both measurements. `checkpoints`: { maml: Uint8Array, protonet: Uint8Array }. Returns
 * { runtimeVersion, backend, build, threads, maml: { medianMs, runsMs }, protonet: { medianMs, runsMs, adaptMedianMs, predictMedianMs },
 * memory, wasmMemoryBytes } (wasmMemoryBytes: the instance's linear memory, which only grows: its peak).
 */
export async function measureEdgeAdaptation(ks, checkpoints, task) {
  const started = await ks.init({ backend: "wasm", deterministic: task.deterministic });
  const out = { runtimeVersion: runtimeVersion(), backend: ks.getBackendName(), build: started.build, threads: started.threads };

  const maml = await ks.Learner.load(checkpoints.maml, { backend: "wasm" });
  const mamlRuns = await timeRuns(() => adaptAndPredict(ks, maml, task, { steps: 10, lr: 0.4 }), MAML_RUNS);
  maml.dispose();
  out.maml = { medianMs: median(mamlRuns), runsMs: mamlRuns.map(tenths) };

  const proto = await ks.Learner.load(checkpoints.protonet, { backend: "wasm" });
  let halves = [];
  const protoRuns = await timeRuns(() => adaptAndPredict(ks, proto, task, {}, halves), PROTO_RUNS);
  halves = halves.slice(-protoRuns.length);
  proto.dispose();
  out.protonet = {
    medianMs: median(protoRuns), runsMs: protoRuns.map(tenths),
    adaptMedianMs: median(halves.map((h) => h[0])), predictMedianMs: median(halves.map((h) => h[1])),
  };
  out.memory = ks.memory();
  out.wasmMemoryBytes = started.memoryBytes();
  return out;
}
