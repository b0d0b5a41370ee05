// Whole training steps on the wasm backend through the public API, the Omniglot workloads of kshot's
// PyTorch comparison: a 60-way 5-shot 5-query ProtoNet episode (forward + backward + Adam) and a second-order MAML
// meta-iteration (meta-batch 32 × 5-way 1-shot, 1 query per class, 1 inner step), and the same with
// first-order MAML. Prints one JSON line per workload and contender with the median ms per step, GFLOP/s
// (conv4-flops.mjs: 3 forwards per image pass; MAML's second-order terms not counted), the CPU, the load
// before the workload, peak memory, and a per-kernel breakdown (share of the step's time
// in each backend call, by kernel and shape, from wrapping the backend instance's methods), the rest being
// JS (autograd, allocation, checks). By default the contenders are this tree on one thread and on every
// core (`threads: "auto"`), in interleaved rounds, with the paired speed-up of the threads; then the
// PyTorch peer (peers/torch_omniglot.py in KSHOT_SHARED, two threads) times the same workloads in the same run
// and each line carries `pytorchMs` and `ratioVsPytorch` (> 1: kshot slower).
//
//   node bench/train-step.bench.mjs [--quick] [--steps N] [--only protonet|maml]
//        [--threads T]            one contender only, on T threads ("auto": every core)
//        [--relaxed]              the relaxed-SIMD build (deterministic: false; Node 20 needs
//                                 --experimental-wasm-relaxed-simd, else the plain build runs)
//        [--baseline <git ref>]   also builds <ref> in a temp dir and interleaves its steps with this
//                                 tree's (both on --threads, default 1), reporting the paired ratio
//        [--tree <dir>]           measure the checkout in <dir> instead of this one (e.g. a prototype)
//        [--no-peer]              skip PyTorch (--quick skips it too)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { conv4Flops } from "./conv4-flops.mjs";
import { loadBefore, machine, peakRssMiB } from "./machine.mjs";
import { runTorchPeer, sharedFolder } from "./torch-peer.mjs";
import { quick, root, round } from "./wasm-harness.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg("--steps", quick ? 3 : 7));
const only = arg("--only", null);
const baselineRef = arg("--baseline", null);
const currentDir = arg("--tree", root);
const threadsArg = arg("--threads", null);
const parseThreads = (t) => (t === "auto" ? "auto" : Number(t));
const relaxed = process.argv.includes("--relaxed");
const withPeer = !quick && !process.argv.includes("--no-peer");
const shared = sharedFolder(root);

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
  "conv2dBackwardFilter", "maxPool2d", "affinePoolRelu", "batchNorm", "batchNormBackward", "gather", "scatterAdd", "copy",
  "cast", "allocate", "free", "write", "readSync"];

/** What a call is, for the breakdown: the kernel and the op or shape that tells calls apart. */
function callKey(method, args) {
  if (method === "unary" || method === "binary" || method === "reduce") return `${method}:${args[0]}`;
  if (method === "elementwise") return `elementwise:${args[0].steps.length} steps`;
  if (method === "batchNorm" || method === "batchNormBackward") return `${method}@${Math.round(Math.sqrt(args.at(-1).spatial))}`;
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

/** The workloads: tasks per step, and each task's ways, shots and queries per class. */
const WORKLOADS = {
  protonet: { tasks: 1, ways: 60, shots: 5, queries: 5 },
  maml: { tasks: 32, ways: 5, shots: 1, queries: 1 },
  fomaml: { tasks: 32, ways: 5, shots: 1, queries: 1 },
};

/**
 * FLOPs of one step: every image passes forward and backward once (ProtoNet), or the support images
 * (inner step) and the query images (outer loss) do (MAML, FOMAML; second-order terms not counted).
 */
function stepFlops(kind) {
  const { tasks, ways, shots, queries } = WORKLOADS[kind];
  return 3 * tasks * ways * (shots + queries) * conv4Flops(64, 28, kind === "protonet" ? 0 : ways);
}

/** One workload on one kshot instance: `step()` runs a training step and returns its ms. */
function workload(ks, kind) {
  const rng = new ks.Rng(7);
  const { tasks, ways, shots, queries } = WORKLOADS[kind];
  const algo = kind === "protonet" ? ks.meta.protonet(ks.nn.conv4({ ways: 0 })) : ks.meta[kind](ks.nn.conv4({ ways: 5 }), { innerLr: 0.4, innerSteps: 1 });
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

/** name → { ks: a separately loaded bundle, threads }; the first is the reference of the paired ratios. */
const contenders = {};
if (baselineRef) {
  const threads = parseThreads(threadsArg ?? "1");
  const dir = checkout(baselineRef);
  contenders.baseline = { ks: await bundleKshot(dir), threads };
  rmSync(dir, { recursive: true, force: true });
  contenders.current = { ks: await bundleKshot(currentDir), threads };
} else if (threadsArg) {
  contenders.current = { ks: await bundleKshot(currentDir), threads: parseThreads(threadsArg) };
} else {
  contenders["1 thread"] = { ks: await bundleKshot(currentDir), threads: 1 };
  contenders["auto threads"] = { ks: await bundleKshot(currentDir), threads: "auto" };
}
const peer = withPeer ? null : { peer: null, why: quick ? "--quick skips PyTorch" : "--no-peer" };
const PEER_KEYS = { protonet: "protonet_60w5s5q_episode_s", maml: "maml_5w1s_metaiter_s", fomaml: "fomaml_5w1s_metaiter_s" };
const lines = [];

for (const kind of Object.keys(WORKLOADS)) {
  if (only && only !== kind) continue;
  const before = loadBefore();
  const runs = {};
  for (const [name, { ks, threads }] of Object.entries(contenders)) {
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
  const [reference] = Object.values(runs);
  for (const [name, run] of Object.entries(runs)) {
    const total = run.ms.reduce((a, b) => a + b, 0);
    const rows = [...run.kernels].sort((a, b) => b[1].ms - a[1].ms);
    const inKernels = rows.reduce((a, [, v]) => a + v.ms, 0);
    const breakdown = Object.fromEntries(rows.filter(([, v]) => v.ms / total >= 0.005)
      .map(([k, v]) => [k, { share: round(v.ms / total, 3), msPerStep: round(v.ms / steps, 1), calls: v.calls / steps }]));
    const line = {
      name: `train-step/${kind}`, tree: name, backend: `wasm-${run.backend.build}`, threads: run.backend.threads ?? 1, steps,
      msMedian: round(median(run.ms), 1), msMin: round(Math.min(...run.ms), 1),
      gflop: round(stepFlops(kind) / 1e9, 1), gflops: round(stepFlops(kind) / 1e6 / median(run.ms), 1),
      ...machine(), ...before, peakRssMiB: peakRssMiB(), peakWasmMemoryMiB: round(run.backend.memoryBytes() / 2 ** 20, 1),
      kernelShare: round(inKernels / total, 3), callsPerStep: rows.reduce((a, [, v]) => a + v.calls, 0) / steps, breakdown,
    };
    if (run !== reference) {
      // Median of per-round ratios: the rounds interleave, so both sides saw the same machine load.
      line.speedupVs = Object.keys(runs)[0];
      line.speedup = round(median(run.ms.map((ms, i) => reference.ms[i] / ms)), 3);
      if (baselineRef) line.baselineRef = baselineRef;
    }
    lines.push(line);
  }
}

// PyTorch after kshot, so the two never share the cores.
const torchBefore = loadBefore();
const torch = peer ?? runTorchPeer({ shared, omniglotDir: shared && join(shared, "data", "omniglot"), timeoutMs: 300_000 });
for (const line of lines) {
  const kind = line.name.split("/")[1];
  const seconds = torch.peer?.[PEER_KEYS[kind]];
  if (seconds) {
    line.pytorchMs = round(seconds * 1000, 1);
    line.ratioVsPytorch = round(line.msMedian / line.pytorchMs, 2);
    line.pytorch = { ...torch.env, ...torchBefore, gflops: round(stepFlops(kind) / 1e6 / line.pytorchMs, 1) };
  } else {
    line.pytorchMs = null;
    line.whyNoPytorch = torch.why;
  }
  console.log(JSON.stringify(line));
}
