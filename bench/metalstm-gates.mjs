// The Meta-Learner LSTM's learned gates (Ravi & Larochelle 2017, their Figure 2): the mean input gate (the
// learned step size) and forget gate (the learned decay) over every coordinate at each learner update,
// averaged over test episodes, for a checkpoint trained by `kshot train --algo metalstm`. One JSON line per
// update and a PNG of both against the update.
//
// usage: node bench/metalstm-gates.mjs CHECKPOINT --data OMNIGLOT_DIR [--split vinyals] [--episodes 20]
//          [--steps S] [--png bench/metalstm-gates.png]
import { writeFileSync } from "node:fs";
import * as ks from "../dist/kshot.mjs";
import { linePlot } from "../tools/plot/line-plot.mjs";
import { loadBefore, machine } from "./machine.mjs";

const [checkpointPath, ...rest] = process.argv.slice(2);
const o = { data: undefined, split: "vinyals", episodes: 20, steps: undefined, png: "bench/metalstm-gates.png" };
for (let i = 0; i < rest.length; i += 2) {
  const key = rest[i].replace(/^--/, "");
  if (!(key in o)) throw new Error(`unknown flag ${rest[i]}`);
  o[key] = typeof o[key] === "number" ? Number(rest[i + 1]) : rest[i + 1];
}
if (!checkpointPath || !o.data) throw new Error("usage: node bench/metalstm-gates.mjs CHECKPOINT --data OMNIGLOT_DIR [--split vinyals] [--episodes 20]");

await ks.init({ backend: "wasm", threads: 1 });
const checkpoint = await ks.io.load(checkpointPath);
const { model, algorithm } = ks.fromMetadata(checkpoint.metadata);
if (algorithm.name !== "metalstm") throw new Error(`expected a metalstm checkpoint, got ${algorithm.name}`);
const evaluation = checkpoint.metadata.evaluation ?? {};
const ways = evaluation.ways ?? 5;
const shots = evaluation.shots ?? 1;
const sums = [];
const algo = ks.meta.metaLstm(model, {
  ...algorithm.options,
  onGates: (step, g) => {
    sums[step] ??= { input: 0, forget: 0 };
    sums[step].input += g.input.dataSync()[0];
    sums[step].forget += g.forget.dataSync()[0];
  },
});
const split = ks.data.omniglotSplit(await ks.data.loadOmniglot(o.data), o.split);
const episodes = ks.data.tasks(split.test, { ways, shots, queries: 1, seed: 0 });
const load = loadBefore();
for (let e = 0; e < o.episodes; e++) {
  ks.tidy(() => {
    const batch = ks.episodeTensors(episodes.nextBatch(1));
    const task = algo.adapt(checkpoint.params, { ...batch.support, ways }, { steps: o.steps, statistics: false });
    for (const t of Object.values(task.tensors)) t.dispose();
  });
}
const rows = sums.map((s, step) => ({ step: step + 1, input: s.input / o.episodes, forget: s.forget / o.episodes }));
for (const r of rows) {
  console.log(JSON.stringify({ bench: "metalstm gates", checkpoint: checkpointPath, ways, shots, episodes: o.episodes, ...r, ...machine(), ...load }));
}
writeFileSync(o.png, linePlot([
  { label: "input gate (step size)", points: rows.map((r) => [r.step, r.input]) },
  { label: "forget gate (decay)", points: rows.map((r) => [r.step, r.forget]) },
], { xLabel: "learner update", yLabel: `mean gate over coordinates and ${o.episodes} test episodes`, xTicks: rows.map((r) => r.step) }));
console.error(`wrote ${o.png}`);
