// The edge-adaptation measurement itself, the same code in Node, Deno and Chromium (each runner hands it
// the kshot module and the bytes): a 5-way 5-shot task, wasm backend (deterministic: true, the default).
//
// - MAML-family checkpoint: Learner.adapt with 10 SGD steps (lr 0.4, as the PyTorch peer) on the 25
//   support images, then predict the 75 queries (probabilities read back). One adaptation = both.
// - ProtoNet checkpoint: Learner.adapt (prototypes of the 25 support images), then predict the 75 queries.
// Each is timed from typed arrays to probabilities on the host (tensor creation included), warm-up first,
// then the median of `reps` runs.

/** @typedef {{ support: Float32Array, labels: Int32Array, query: Float32Array, size: number }} Task */

const tenths = (v) => Math.round(v * 10) / 10;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times `once` (async) `warmup` + `reps` times; milliseconds of each timed run. */
async function timeRuns(once, reps, warmup) {
  for (let i = 0; i < warmup; i++) await once();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await once();
    ms.push(performance.now() - t);
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
 * { backend, maml: { medianMs, runsMs }, protonet: { medianMs, runsMs, adaptMedianMs, predictMedianMs }, memory }.
 */
export async function measureEdgeAdaptation(ks, checkpoints, task, { reps = 5, protoReps = 20 } = {}) {
  await ks.init({ backend: "wasm" });
  const out = { backend: ks.getBackendName() };

  const maml = await ks.Learner.load(checkpoints.maml, { backend: "wasm" });
  const mamlRuns = await timeRuns(() => adaptAndPredict(ks, maml, task, { steps: 10, lr: 0.4 }), reps, 1);
  maml.dispose();
  out.maml = { medianMs: median(mamlRuns), runsMs: mamlRuns.map(tenths) };

  const proto = await ks.Learner.load(checkpoints.protonet, { backend: "wasm" });
  let halves = [];
  const protoRuns = await timeRuns(() => adaptAndPredict(ks, proto, task, {}, halves), protoReps, 3);
  halves = halves.slice(-protoReps);
  proto.dispose();
  out.protonet = {
    medianMs: median(protoRuns), runsMs: protoRuns.map(tenths),
    adaptMedianMs: median(halves.map((h) => h[0])), predictMedianMs: median(halves.map((h) => h[1])),
  };
  out.memory = ks.memory();
  return out;
}
