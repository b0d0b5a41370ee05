// Whole training steps on the wasm backend through the public API, the two Omniglot workloads of DESIGN.md's
// yardsticks: a 60-way 5-shot 5-query ProtoNet episode (forward + backward + Adam; PyTorch 0.63 s) and a
// second-order MAML meta-iteration (meta-batch 32 × 5-way 1-shot, 1 query per class, 1 inner step;
// PyTorch 1.16 s). Prints one JSON line per workload with the median ms per step and a per-kernel
// breakdown (share of the step's time in each backend call, by kernel and shape, from wrapping the backend
// instance's methods), the rest being JS (autograd, allocation, checks).
//
//   node bench/train-step.bench.mjs [--quick] [--steps N] [--only protonet|maml]
//        [--baseline <git ref>]   also builds <ref> in a temp dir and interleaves its steps with this
//                                 tree's, reporting the paired ratio (median of per-round baseline/current)
//        [--tree <dir>]           measure the checkout in <dir> instead of this one (e.g. a prototype)
//        [--threads T]            wasm threads (default 1: one core's speed; "auto": every core)
//        [--relaxed]              the relaxed-SIMD build (deterministic: false; Node 20 needs
//                                 --experimental-wasm-relaxed-simd, else the plain build runs)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { quick, root, round } from "./wasm-harness.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg("--steps", quick ? 3 : 7));
const only = arg("--only", null);
const baselineRef = arg("--baseline", null);
const currentDir = arg("--tree", root);
const threadsArg = arg("--threads", "1");
const threads = threadsArg === "auto" ? "auto" : Number(threadsArg);
const relaxed = process.argv.includes("--relaxed");

/** Generates the wasm/shaders modules in `dir` and bundles its src/index.ts; returns the loaded module. */
async function bundleKshot(dir) {
  execFileSync(process.execPath, [join(dir, "scripts", "build.mjs"), "generate"], { cwd: dir, stdio: "inherit" });
  const esbuild = await import("esbuild");
  const out = mkdtempSync(join(tmpdir(), "kshot-train-step-"));
  const outfile = join(out, "kshot.mjs");
  await esbuild.build({ entryPoints: [join(dir, "src/index.ts")], bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], outfile, logLevel: "warning" });
  const mod = await import(pathToFileURL(outfile).href);
  rmSync(out, { recursive: true, force: true });
  return mod;
}

/** A checkout of `ref` in a temp dir sharing this tree's node_modules. */
function checkout(ref) {
  const dir = mkdtempSync(join(tmpdir(), "kshot-baseline-"));
  execFileSync("sh", ["-c", `git -C "${root}" archive "${ref}" | tar -x -C "${dir}"`]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const KERNELS = ["fill", "unary", "binary", "where", "elementwise", "reduce", "matmul", "conv2d", "conv2dBackwardData",
  "conv2dBackwardFilter", "maxPool2d", "gather", "scatterAdd", "copy", "cast", "allocate", "free", "write", "readSync"];

/** What a call is, for the breakdown: the kernel and the op or shape that tells calls apart. */
function callKey(method, args) {
  if (method === "unary" || method === "binary" || method === "reduce") return `${method}:${args[0]}`;
  if (method === "elementwise") return `elementwise:${args[0].steps.length} steps`;
  if (method.startsWith("conv2d")) {
    const p = args[3];
    return `${method}:${p.inC}→${p.outC}@${p.inH}${p.groups > 1 ? `/g${p.groups}` : ""}`;
  }
  return method;
}

/** Wraps the backend instance's kernels with timers; `take()` returns and clears the totals. */
function profile(backend) {
  let totals = new Map();
  for (const method of KERNELS) {
    const original = backend[method];
    if (typeof original !== "function") continue;
    backend[method] = function (...args) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const key = callKey(method, args);
        const e = totals.get(key) ?? { ms: 0, calls: 0 };
        e.ms += performance.now() - t0;
        e.calls++;
        totals.set(key, e);
      }
    };
  }
  return { take: () => { const t = totals; totals = new Map(); return t; } };
}

function randomImages(ks, rng, shape) {
  return ks.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform()), shape);
}

function labels(ks, tasks, ways, perClass) {
  const y = new Int32Array(tasks * ways * perClass);
  for (let i = 0; i < y.length; i++) y[i] = Math.floor((i % (ways * perClass)) / perClass);
  return ks.tensor(y, [tasks, ways * perClass], "int32");
}

/** One workload on one kshot instance: `step()` runs a training step and returns its ms. */
function workload(ks, kind) {
  const rng = new ks.Rng(7);
  const [algo, tasks, ways, shots, queries] = kind === "protonet"
    ? [ks.meta.protonet(ks.nn.conv4({ ways: 0 })), 1, 60, 5, 5]
    : [ks.meta.maml(ks.nn.conv4({ ways: 5 }), { innerLr: 0.4, innerSteps: 1 }), 32, 5, 1, 1];
  const batch = ks.tidy(() => ({
    support: { x: randomImages(ks, rng, [tasks, ways * shots, 1, 28, 28]), y: labels(ks, tasks, ways, shots) },
    query: { x: randomImages(ks, rng, [tasks, ways * queries, 1, 28, 28]), y: labels(ks, tasks, ways, queries) },
    ways,
  }));
  let params = algo.init(rng);
  const optimizer = ks.optim.adam({ lr: 1e-3 });
  return () => {
    const t0 = performance.now();
    const next = ks.tidy(() => {
      const r = algo.step(params, batch);
      r.loss.dataSync();
      return optimizer.update(params, r.grads);
    });
    for (const t of Object.values(params)) t.dispose();
    params = next;
    return performance.now() - t0;
  };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const contenders = { current: await bundleKshot(currentDir) };
if (baselineRef) {
  const dir = checkout(baselineRef);
  contenders.baseline = await bundleKshot(dir);
  rmSync(dir, { recursive: true, force: true });
}

for (const kind of ["protonet", "maml"]) {
  if (only && only !== kind) continue;
  const runs = {};
  for (const [name, ks] of Object.entries(contenders)) {
    await ks.init({ backend: "wasm", threads, deterministic: !relaxed });
    runs[name] = { ks, backend: ks.backendInUse(), step: workload(ks, kind), ms: [], kernels: new Map() };
    runs[name].prof = profile(runs[name].backend);
    runs[name].step(); // warm-up: memory growth, first-call compilation
    runs[name].prof.take();
  }
  for (let r = 0; r < steps; r++) {
    for (const run of Object.values(runs)) {
      run.ms.push(run.step());
      for (const [k, v] of run.prof.take()) {
        const e = run.kernels.get(k) ?? { ms: 0, calls: 0 };
        e.ms += v.ms; e.calls += v.calls;
        run.kernels.set(k, e);
      }
    }
  }
  for (const [name, run] of Object.entries(runs)) {
    const total = run.ms.reduce((a, b) => a + b, 0);
    const rows = [...run.kernels].sort((a, b) => b[1].ms - a[1].ms);
    const inKernels = rows.reduce((a, [, v]) => a + v.ms, 0);
    const breakdown = Object.fromEntries(rows.filter(([, v]) => v.ms / total >= 0.005)
      .map(([k, v]) => [k, { share: round(v.ms / total, 3), msPerStep: round(v.ms / steps, 1), calls: v.calls / steps }]));
    const line = {
      name: `train-step/${kind}`, tree: name, backend: `wasm-${run.backend.build}`, threads: run.backend.threads ?? 1, steps,
      msMedian: round(median(run.ms), 1), msMin: round(Math.min(...run.ms), 1),
      kernelShare: round(inKernels / total, 3), callsPerStep: rows.reduce((a, [, v]) => a + v.calls, 0) / steps,
      pytorchMs: kind === "protonet" ? 630 : 1160, breakdown,
    };
    if (name === "current" && runs.baseline) {
      line.speedupVsBaseline = round(median(run.ms.map((ms, i) => runs.baseline.ms[i] / ms)), 3);
      line.baselineRef = baselineRef;
    }
    console.log(JSON.stringify(line));
  }
}
