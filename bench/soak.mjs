// `npm run soak [backend] [steps] [cycles]`: memory over a long run. Meta-trains a small Conv-4 ProtoNet on
// glyphs for `steps` steps (default 2000), then runs `cycles` Learner adapt/predict/reset cycles (default
// 1000), forcing garbage collection (node --expose-gc) at every sample. Prints one JSON line per sample
// (live tensors and their bytes, the backend's own memory where it reports it, the JS heap) and a verdict;
// exits 1 when live tensors or their bytes grew after the warm-up. Backend: wasm (default),
// webgpu where present, reference.
import * as ks from "../dist/kshot.mjs";

const [backendName = "wasm", stepsArg = "2000", cyclesArg = "1000"] = process.argv.slice(2);
const steps = Number(stepsArg);
const cycles = Number(cyclesArg);
if (!Number.isInteger(steps) || steps < 200 || !Number.isInteger(cycles) || cycles < 100) {
  console.error("usage: node --expose-gc bench/soak.mjs [wasm|webgpu|reference] [steps ≥ 200] [cycles ≥ 100]");
  process.exit(2);
}
const gc = globalThis.gc ?? (() => { throw new Error("run with node --expose-gc (npm run soak does)"); });

/** WebGPU in Node: the webgpu package (Dawn) on the lavapipe that test/support/webgpu-node.ts also uses. */
async function nodeGPU() {
  const icd = `${process.env.KSHOT_MESA_DIR ?? "/opt/kshot-mesa25"}/lvp_icd.json`;
  if (!process.env.VK_ICD_FILENAMES && (await import("node:fs")).existsSync(icd)) process.env.VK_ICD_FILENAMES = icd;
  const { create, globals } = await import("webgpu");
  Object.assign(globalThis, globals);
  // Held for the whole run: Dawn's objects must outlive every forced collection.
  globalThis.kshotSoakGPU = create([]);
  return globalThis.kshotSoakGPU;
}

await ks.init({ backend: backendName, threads: 1, ...(backendName === "webgpu" ? { gpu: await nodeGPU() } : {}) });
const backend = ks.backendInUse();
const samples = [];
function sample(phase, at) {
  gc();
  const s = { phase, at, ...ks.memory(), backendMemory: backend.memoryBytes?.() ?? null, heapMB: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1) };
  samples.push(s);
  console.log(JSON.stringify(s));
}

const split = ks.data.glyphs({ trainClasses: 20, validationClasses: 5, testClasses: 10 });
const algo = ks.meta.protonet(ks.nn.conv4({ hidden: 8, ways: 0 }));
let checkpoint;
const every = Math.max(1, Math.floor(steps / 20));
const run = await ks.train(algo, ks.data.tasks(split.train, { ways: 5, shots: 1, queries: 2, seed: 0 }), {
  iterations: steps, metaBatch: 1, logEvery: every,
  onProgress: (p) => sample("train", p.iteration),
  checkpoint: { write: (bytes) => void (checkpoint = bytes) },
});
for (const t of Object.values(run.params)) t.dispose();

const learner = await ks.Learner.load(checkpoint);
const test = ks.data.tasks(split.test, { ways: 5, shots: 1, queries: 2, seed: 1 });
for (let cycle = 1; cycle <= cycles; cycle++) {
  const task = test.nextBatch(1);
  const support = ks.tensor(task.support, [5, 1, 28, 28]);
  const query = ks.tensor(task.query, [10, 1, 28, 28]);
  await learner.adapt(support, task.supportLabels);
  await learner.predict(query);
  learner.reset();
  support.dispose();
  query.dispose();
  if (cycle % Math.max(1, Math.floor(cycles / 20)) === 0) sample("learner", cycle);
}
learner.dispose();
sample("end", 0);

// Flat: after the first sample of each phase (warm-up: pools and caches fill), nothing grows.
const grew = ["train", "learner"].flatMap((phase) => {
  const s = samples.filter((x) => x.phase === phase);
  const first = s[1] ?? s[0];
  const last = s[s.length - 1];
  return ["tensors", "bytes"].filter((k) => last[k] > first[k]).map((k) => `${phase} ${k} ${first[k]} → ${last[k]}`);
});
const heap = samples.map((s) => s.heapMB);
console.log(JSON.stringify({
  verdict: grew.length === 0 ? "flat" : "grew", grew, backend: backend.name, steps, cycles,
  heapMB: { min: Math.min(...heap), max: Math.max(...heap) },
  backendMemory: { first: samples[0].backendMemory, last: samples[samples.length - 1].backendMemory },
  cpu: (await import("node:os")).cpus()[0]?.model, loadavg: (await import("node:os")).loadavg().map((v) => +v.toFixed(1)),
}));
process.exit(grew.length === 0 ? 0 : 1);
