// Edge adaptation through Learner, repeated, for instruction counts: a Conv-4 (64 filters) adapts to 25
// images (5-way 5-shot) and predicts 75. ProtoNet builds prototypes; MAML takes 10 SGD steps of size 0.4.
// Run it under callgrind twice with different repetition counts and divide the difference, which cancels
// start-up and the one-iteration training that makes the checkpoint. Wall times it prints are medians.
// Usage: node bench/edge-adapt/adapt-loop.mjs [KSHOT_MODULE] [repetitions] [threads] [protonet|maml] [warm-ups] [checkpoint]
//   e.g. valgrind --tool=callgrind node --no-liftoff --no-wasm-tier-up bench/edge-adapt/adapt-loop.mjs dist/kshot.mjs 13 1
// Untimed warm-up repetitions (default 3) come first in every run. With a checkpoint file that exists, the
// Learner loads it instead of training one (so trees compare on the same weights); one that does not
// exist is written. Prints one JSON line.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { machine } from "../machine.mjs";

const [modulePath = "dist/kshot.mjs", repsArg = "10", threadsArg, algorithm = "protonet", warmupsArg = "3", checkpoint] = process.argv.slice(2);
const reps = Number(repsArg);
const warmups = Number(warmupsArg);
const ks = await import(pathToFileURL(resolve(modulePath)).href);
const started = await ks.init({ backend: "wasm", ...(threadsArg ? { threads: Number(threadsArg) } : {}) });

const ALGORITHMS = {
  protonet: { make: () => ks.meta.protonet(ks.nn.conv4({ hidden: 64, ways: 0 })), adapt: {} },
  maml: { make: () => ks.meta.maml(ks.nn.conv4({ hidden: 64, ways: 5 }), { innerLr: 0.4, evalSteps: 10, evalLr: 0.4 }), adapt: { steps: 10, lr: 0.4 } },
};
const chosen = ALGORITHMS[algorithm];
if (!chosen) throw new Error(`adapt-loop: expected protonet or maml, got ${algorithm}`);

const dir = mkdtempSync(join(tmpdir(), "kshot-adapt-loop-"));
let learner;
try {
  let path = checkpoint;
  if (!path || !existsSync(path)) {
    const tasks = ks.data.tasks(ks.data.glyphs({ examplesPerClass: 4 }).train, { ways: 5, shots: 1, queries: 1, seed: 0 });
    path = join(dir, `${algorithm}.safetensors`);
    const trained = await ks.train(chosen.make(), tasks, { iterations: 1, checkpoint: { path } });
    for (const t of Object.values(trained.params)) t.dispose();
    if (checkpoint) copyFileSync(path, checkpoint);
  }
  learner = await ks.Learner.load(new Uint8Array(readFileSync(path)), { backend: "wasm" });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Deterministic images in [0, 1): the timing does not depend on what they show.
const image = (count, step) => Float32Array.from({ length: count * 784 }, (_, i) => ((i * step) % 1000) / 1000);
const support = image(25, 7919);
const query = image(75, 104729);
const labels = Int32Array.from({ length: 25 }, (_, i) => Math.floor(i / 5));
const ms = [];
let loss = 0;
for (let i = 0; i < reps + warmups; i++) {
  const t = performance.now();
  const x = ks.tensor(support, [25, 1, 28, 28]);
  loss = (await learner.adapt(x, labels, chosen.adapt)).loss;
  x.dispose();
  const q = ks.tensor(query, [75, 1, 28, 28]);
  await learner.predict(q);
  q.dispose();
  if (i >= warmups) ms.push(performance.now() - t);
}
learner.dispose();
const sorted = [...ms].sort((a, b) => a - b);
console.log(JSON.stringify({
  name: `${algorithm}_adapt25_predict75_loop`, repetitions: reps, build: started.build, threads: started.threads,
  median_ms: sorted.length ? Math.round(sorted[sorted.length >> 1] * 10) / 10 : null, support_loss: loss, ...machine(),
}));
