// The training Worker: meta-trains a ProtoNet Conv-4 (Euclidean or Mahalanobis distance) on kshot's built-in glyphs, away from the page's
// thread, so drawing and the chart stay responsive. Messages in: {type: "train", settings}, {type: "stop"}.
// Messages out: ready, progress (iteration, loss, accuracy, tasks/s), evaluated (held-out accuracy), done
// (the checkpoint's bytes, transferred), error.
import * as ks from "../../dist/kshot.mjs";

/** @type {AbortController | undefined} */
let running;

const post = (message, transfer = []) => self.postMessage(message, { transfer });

/**
 * @param {{ backend: string, iterations: number, hidden: number, ways: number, shots: number, queries: number,
 *           metric: "euclidean" | "mahalanobis", seed: number, metaLr: number, evalEpisodes: number }} s
 */
async function trainGlyphs(s) {
  await ks.init({ backend: s.backend });
  post({ type: "ready", backend: ks.getBackendName() });
  const split = ks.data.glyphs({ seed: s.seed });
  const rng = new ks.Rng(s.seed);
  const tasks = ks.data.tasks(split.train, { ways: s.ways, shots: s.shots, queries: s.queries, rng: rng.fork("train") });
  const model = ks.nn.conv4({ hidden: s.hidden, ways: 0, channels: 1, size: 28 });
  const algo = ks.meta.protonet(model, { metric: s.metric });
  running = new AbortController();
  /** @type {Uint8Array | undefined} */
  let checkpoint;
  const result = await ks.train(algo, tasks, {
    iterations: s.iterations,
    metaBatch: 1,
    metaLr: s.metaLr,
    seed: s.seed,
    logEvery: 5,
    signal: running.signal,
    onProgress: (p) => post({
      type: "progress", iteration: p.iteration, iterations: s.iterations, loss: p.loss, accuracy: p.accuracy,
      tasksPerSecond: p.tasksPerSecond, seconds: p.seconds,
    }),
    // Written once, at the end (no `every`): the parameters with the metadata Learner.load needs.
    checkpoint: {
      write: (bytes) => { checkpoint = bytes; },
      metadata: {
        data: { dataset: "glyphs", split: "glyphs", seed: s.seed },
        training: { ways: s.ways, shots: s.shots, queries: s.queries, hidden: s.hidden, source: "kshot demo (examples/demo)" },
        evaluation: { ways: 5, shots: 1, queries: 15 },
      },
    },
  });
  running = undefined;
  let heldOut;
  if (s.evalEpisodes > 0) {
    // 5-way 1-shot on glyph classes never seen in training: what the person's own symbols will be.
    const test = ks.data.tasks(split.test, { ways: 5, shots: 1, queries: 5, rng: rng.fork("test") });
    const evaluation = await ks.evaluate(algo, result.params, test, { episodes: s.evalEpisodes });
    heldOut = { accuracy: evaluation.accuracy, ci95: evaluation.ci95, episodes: evaluation.episodes, ways: 5, shots: 1 };
  }
  for (const t of Object.values(result.params)) t.dispose();
  if (!checkpoint) throw new Error("training ended without writing its checkpoint");
  const bytes = checkpoint.slice(); // its own buffer, to transfer
  post({
    type: "done", checkpoint: bytes.buffer, stopped: result.stopped, iterations: result.iterations,
    seconds: result.seconds, loss: result.loss, accuracy: result.accuracy, heldOut,
  }, [bytes.buffer]);
}

self.onmessage = (event) => {
  const message = event.data;
  if (message?.type === "stop") {
    running?.abort();
  } else if (message?.type === "train") {
    if (running) return post({ type: "error", message: "training is already running" });
    trainGlyphs(message.settings).catch((error) => {
      running = undefined;
      post({ type: "error", message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    });
  }
};
