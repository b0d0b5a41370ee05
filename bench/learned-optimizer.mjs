// The learned LSTM optimizer (Andrychowicz et al. 2016) against hand-designed optimizers on held-out random
// 10-dimensional quadratics f(θ) = ‖Wθ − y‖². Meta-trains the LSTM optimizer (or continues a saved one
// with --resume), tunes the learning rate of SGD, momentum SGD, RMSprop and Adam by a grid on training
// functions, then runs every optimizer on the same held-out functions from the same starts and reports
// the loss after 100 and 200 steps (mean, standard deviation, median over the functions), one JSON line per
// optimizer, a markdown table, and the mean loss against steps drawn to a PNG.
//
// usage: node bench/learned-optimizer.mjs [--iterations 200] [--functions 128] [--test 128] [--horizon 200]
//          [--checkpoint bench/out/lstm-optimizer.safetensors] [--resume] [--png bench/learned-optimizer.png]
//          [--optimizee quadratic|mlp] [--size 28] [--hidden 20] [--wide 40] [--threads 1]
//          [--validate-every 0] [--validation 256] [--minibatch fixed|fresh] [--examples 20]
// With --resume and --iterations 0 it only evaluates the saved optimizer. With --validate-every N the optimizer
// is validated every N runs on --validation functions of its own and the best weights are kept (and saved).
// --optimizee mlp: the functions are one-hidden-layer sigmoid MLPs (--hidden units) on random 10-class draws of
// the glyphs' training classes rendered at --size pixels, each with a fixed batch of 128 (ks.optim.mlpClassifiers);
// the held-out comparison is then repeated on wider MLPs (--wide units, 0 to skip) with the optimizer and the
// learning rates chosen on the --hidden ones: the paper's generalisation test. --minibatch fresh draws a new
// minibatch of 128 per step from all --examples drawings of each function's classes (the paper's setting).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as ks from "../dist/kshot.mjs";
import { linePlot } from "../tools/plot/line-plot.mjs";
import { loadBefore, machine, peakRssMiB } from "./machine.mjs";

function flags(argv) {
  const o = { iterations: 200, functions: 128, test: 128, steps: 100, truncation: 20, horizon: 200, lr: 0.001, seed: 0,
    checkpoint: "bench/out/lstm-optimizer.safetensors", resume: false, png: "bench/learned-optimizer.png",
    optimizee: "quadratic", size: 28, hidden: 20, wide: 40, threads: 1, "validate-every": 0, validation: 256, minibatch: "fixed", examples: 20 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in o)) throw new Error(`unknown flag ${argv[i]}`);
    if (typeof o[key] === "boolean") o[key] = true;
    else o[key] = typeof o[key] === "number" ? Number(argv[++i]) : argv[++i];
  }
  return o;
}

const o = flags(process.argv.slice(2));
if (!["quadratic", "mlp"].includes(o.optimizee)) throw new Error(`--optimizee: expected quadratic or mlp, got ${o.optimizee}`);
await ks.init({ backend: "wasm", threads: o.threads });
const glyphClasses = o.optimizee === "mlp" ? ks.data.glyphs({ size: o.size, examplesPerClass: o.examples }).train : undefined;
/** Draws `count` functions of the chosen optimizee (MLPs with `hidden` units). */
const sampler = (hidden = o.hidden) => (functionsRng, count) => o.optimizee === "mlp"
  ? ks.optim.mlpClassifiers(functionsRng, count, { source: glyphClasses, hidden, minibatch: o.minibatch })
  : ks.optim.quadratics(functionsRng, count);
const what = o.optimizee === "mlp" ? "MLPs" : "quadratics";
const rng = new ks.Rng(o.seed);
const started = performance.now();
const stats = (values) => {
  const v = Array.from(values).sort((a, b) => a - b);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, std, median: v[Math.floor(v.length / 2)] };
};

// 1. Meta-training (or continuing it).
let weights;
let config;
let done = 0;
if (o.resume && existsSync(o.checkpoint)) {
  const saved = await ks.io.load(o.checkpoint);
  weights = saved.params;
  config = ks.optim.lstmOptimizerConfig(saved.metadata.model.config);
  done = saved.metadata.iteration ?? 0;
}
if (o.iterations === 0 && !weights) throw new Error("--iterations 0 evaluates a saved optimizer: give --resume and an existing --checkpoint");
const trainLoad = loadBefore();
const trainStart = performance.now();
const trained = o.iterations === 0 ? { weights, config, losses: [] } : await ks.optim.trainLearnedOptimizer({
  iterations: o.iterations, steps: o.steps, truncation: o.truncation, functions: o.functions, lr: o.lr, seed: o.seed,
  optimizee: sampler(), weights, config, firstIteration: done,
  onIteration: ({ iteration, loss }) => { if (iteration % 20 === 0) console.error(`meta-training run ${iteration}: mean loss ${loss.toFixed(4)}`); },
  validation: o["validate-every"] > 0 ? { every: o["validate-every"], functions: o.validation,
    onValidation: ({ iteration, loss, best }) => console.error(`validation after run ${iteration}: mean loss ${loss.toFixed(4)} after ${o.steps} steps${best ? " (best so far)" : ""}`) } : undefined,
});
const trainSeconds = (performance.now() - trainStart) / 1000;
if (weights && weights !== trained.weights) Object.values(weights).forEach((t) => t.dispose());
weights = trained.weights;
config = trained.config;
mkdirSync(dirname(o.checkpoint), { recursive: true });
// With validation the saved weights are the best validated ones; `iteration` still counts every run made.
await ks.io.save(weights, o.checkpoint, { metadata: { model: { name: ks.optim.LSTM_OPTIMIZER_MODEL, config }, iteration: done + o.iterations, seed: o.seed,
  ...(trained.best ? { best: trained.best } : {}) } });
console.log(JSON.stringify({ bench: `learned-optimizer meta-training on ${what}`, optimizee: o.optimizee, ...(o.optimizee === "mlp" ? { size: o.size, hidden: o.hidden, minibatch: o.minibatch, examples: o.examples } : {}), runs: done + o.iterations, this_sitting: o.iterations, steps: o.steps, truncation: o.truncation,
  functions: o.functions, seconds: +trainSeconds.toFixed(1), first_loss: trained.losses[0], last_loss: trained.losses.at(-1),
  ...(trained.best ? { validation_functions: o.validation, best: trained.best, validations: trained.validations } : {}), ...machine(), ...trainLoad }));

// 2. Hand-designed optimizers, each learning rate tuned on training functions (mean loss after `steps`).
// The MLPs' best SGD and momentum rates reach 3, the quadratics' grid's top: their grid goes on to 30.
const GRID = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3, ...(o.optimizee === "mlp" ? [10, 30] : [])];
const HAND = {
  sgd: (lr) => ks.optim.sgd({ lr }),
  momentum: (lr) => ks.optim.sgd({ lr, momentum: 0.9 }),
  rmsprop: (lr) => ks.optim.rmsprop({ lr }),
  adam: (lr) => ks.optim.adam({ lr }),
};
async function curves(make, functionsRng, initRng, count, steps, sample = sampler()) {
  const f = sample(functionsRng.clone(), count);
  const optimizer = make();
  try {
    return await ks.optim.optimizeFunctions(optimizer, f, initRng.clone(), steps);
  } finally {
    optimizer.dispose();
    f.dispose();
  }
}
const tuneFunctions = rng.fork("tune functions");
const tuneInit = rng.fork("tune init");
const best = {};
for (const [name, make] of Object.entries(HAND)) {
  let choice = { lr: NaN, loss: Infinity };
  for (const lr of GRID) {
    const c = await curves(() => make(lr), tuneFunctions, tuneInit, o.functions, o.steps);
    const loss = stats(c[o.steps]).mean;
    if (loss < choice.loss) choice = { lr, loss };
  }
  best[name] = choice.lr;
  console.error(`${name}: lr ${choice.lr} (mean training loss ${choice.loss.toFixed(4)} after ${o.steps} steps)`);
}

// 3. Held-out functions, the same starts for everyone.
const testFunctions = rng.fork("test functions");
const testInit = rng.fork("test init");
const contenders = [
  ["LSTM (learned)", () => ks.optim.learned(weights, { config })],
  ...Object.entries(HAND).map(([name, make]) => [`${name} lr=${best[name]}`, () => make(best[name])]),
];
const fmt = (s) => `${s.mean.toPrecision(3)} ± ${s.std.toPrecision(2)} (median ${s.median.toPrecision(3)})`;

/** Runs every contender on the same held-out functions of `sample`; prints JSON lines and a table, draws `png`. */
async function compare(sample, functionsLabel, png) {
  const load = loadBefore();
  const rows = [];
  for (const [label, make] of contenders) {
    const t0 = performance.now();
    const c = await curves(make, testFunctions, testInit, o.test, o.horizon, sample);
    const at = (k) => stats(c[k]);
    const k100 = Math.min(100, o.horizon);
    const row = { label, at100: at(k100), atHorizon: at(o.horizon), mean: c.map((v) => stats(v).mean), final: c[k100], seconds: (performance.now() - t0) / 1000 };
    // Paired with the LSTM on the same functions: how often the LSTM's loss after 100 steps is lower, and the
    // mean of (this optimizer's loss − the LSTM's) with its standard error.
    const lstm = rows[0]?.final;
    row.lstmLower = lstm ? lstm.filter((v, i) => v < row.final[i]).length / lstm.length : undefined;
    if (lstm) {
      const d = stats(row.final.map((v, i) => v - lstm[i]));
      row.lead = { mean: d.mean, se: d.std / Math.sqrt(lstm.length) };
    }
    rows.push(row);
    console.log(JSON.stringify({ bench: `learned-optimizer held-out ${functionsLabel}`, optimizer: label, functions: o.test, loss_100: row.at100, [`loss_${o.horizon}`]: row.atHorizon,
      lstm_lower_at_100: row.lstmLower, lstm_lead_at_100: row.lead, seconds: +row.seconds.toFixed(2), ...machine(), ...load }));
  }
  console.log(`\n${functionsLabel}\n\n| optimizer | loss after 100 steps | loss after ${o.horizon} steps | functions where the LSTM is lower at 100 | its loss − the LSTM's at 100 (± s.e.) |\n| --- | --- | --- | --- | --- |`);
  const lead = (r) => (r.lead ? `${r.lead.mean.toPrecision(2)} ± ${r.lead.se.toPrecision(2)}` : "—");
  for (const r of rows) console.log(`| ${r.label} | ${fmt(r.at100)} | ${fmt(r.atHorizon)} | ${r.lstmLower === undefined ? "—" : `${(100 * r.lstmLower).toFixed(0)}%`} | ${lead(r)} |`);
  const series = rows.map((r) => ({ label: r.label, points: r.mean.map((y, k) => [k, y]) }));
  writeFileSync(png, linePlot(series, { xLabel: "step", yLabel: `mean loss over ${o.test} held-out ${functionsLabel}`, xTicks: [0, 50, 100, 150, 200].filter((t) => t <= o.horizon) }));
  console.error(`wrote ${png}`);
}

const batches = o.minibatch === "fresh" ? ", fresh minibatches" : "";
await compare(sampler(), o.optimizee === "mlp" ? `MLPs (${o.hidden} hidden units, ${o.size}×${o.size} glyphs${batches})` : "quadratics", o.png);
// The paper's generalisation test: the optimizer and learning rates chosen on o.hidden units, run on o.wide.
if (o.optimizee === "mlp" && o.wide > 0) await compare(sampler(o.wide), `MLPs (${o.wide} hidden units, ${o.size}×${o.size} glyphs${batches})`, o.png.replace(/\.png$/, "-wide.png"));
console.error(`${((performance.now() - started) / 1000).toFixed(0)} s in all, peak RSS ${peakRssMiB()} MiB`);
