// Edge adaptation latency: load a Conv-4 (64 filters, or KSHOT_EDGE_HIDDEN) checkpoint, adapt to
// a 5-way 5-shot task with 10 SGD steps (lr 0.4), predict 75 queries; and ProtoNet adaptation (prototypes
// of the 25 support images, then predict 75; goal < 20 ms). Through `Learner` on the wasm backend
// (deterministic: true), in Node, Deno and Chromium, each in its own process / page, one after another;
// warm-up, then the median of several runs. PyTorch's `adapt_5w5s_10steps_predict75_ms` comes from running
// the peer (peers/torch_omniglot.py in KSHOT_SHARED) in the same bench run.
//
// Data: a task of real Omniglot (5 characters of the evaluation alphabets, 5 support + 15 query drawings
// each) when KSHOT_SHARED names a folder with data/omniglot, else 28×28 glyphs.
// Checkpoints: made once per run through the API into a temp dir (1 training iteration: weights near
// their random initialisation, which is all timing needs).
//
// FLOPs, counted from the model (conv4-flops.mjs): a Conv-4 forward on one 28×28 image is 19.6 MFLOP, a
// training pass 3× that. The adaptation: 10 steps × 25 images × 3 × 19.6 + 75 × 19.6 MFLOP = 16.2 GFLOP.
//
// Prints one JSON line per measurement (each with "name", the CPU, the load before it and peak memory).
// Usage: node bench/edge-adapt.bench.mjs [--quick] [--fast] (--quick: no PyTorch; --fast: each runtime
// also in the fast mode, deterministic: false, on lines of their own). Environment: KSHOT_EDGE_RUNTIMES=node,deno,chromium (a subset); KSHOT_EDGE_NODES (Node binaries
// to measure, comma-separated: each gets lines of its own, named by runtime_version; default the Node
// running the bench); KSHOT_EDGE_HIDDEN (filters, default 64); KSHOT_OPENBLAS_DIR,
// the OpenBLAS folder for PyTorch (default: /opt/kshot-openblas/usr/lib/x86_64-linux-gnu/openblas-pthread,
// where `apt-get download libopenblas0-pthread && dpkg-deb -x libopenblas0-pthread_*.deb /opt/kshot-openblas`
// puts it, as the peers' README describes).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runInChromium } from "./edge-adapt/chromium.mjs";
import { conv4Flops } from "./conv4-flops.mjs";
import { loadBefore, machine } from "./machine.mjs";
import { runChild, runTorchPeer, sharedFolder } from "./torch-peer.mjs";

const root = resolve(import.meta.dirname, "..");
const shared = sharedFolder(root);
const omniglotDir = shared ? join(shared, "data", "omniglot") : null;
const quick = process.argv.includes("--quick");
const fast = process.argv.includes("--fast");
const WAYS = 5;
const SHOTS = 5;
const QUERIES = 15;
const STEPS = 10;
/** Conv-4 filters of both checkpoints: 64 (the papers'), or KSHOT_EDGE_HIDDEN (a distilled student's 32, 16). */
const HIDDEN = Number(process.env.KSHOT_EDGE_HIDDEN ?? 64);
if (!Number.isInteger(HIDDEN) || HIDDEN < 1) throw new Error(`KSHOT_EDGE_HIDDEN: expected a positive integer, got ${process.env.KSHOT_EDGE_HIDDEN}`);
const SIZE = 28;

const FORWARD = conv4Flops(HIDDEN, SIZE, WAYS);
const ADAPT_FLOPS = STEPS * WAYS * SHOTS * 3 * FORWARD + WAYS * QUERIES * FORWARD;
const PROTO_FLOPS = WAYS * (SHOTS + QUERIES) * conv4Flops(HIDDEN, SIZE, 0);

const round = (v, digits = 2) => (v === null || v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const print = (o) => console.log(JSON.stringify(o));

function needBuild() {
  for (const f of ["dist/kshot.mjs", "dist/kshot.js", "dist/cli.mjs"]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm run bench builds first)`);
  }
}

/**
 * Checkpoints, through the API (ks.train writes the same file as `kshot train`, metadata included):
 * MAML (5-way head) and ProtoNet (embedding), Conv-4 64 filters, one iteration on glyphs each.
 */
async function makeCheckpoints(dir) {
  const ks = await import(pathToFileURL(join(root, "dist/kshot.mjs")).href);
  await ks.init({ backend: "wasm" });
  const glyphs = ks.data.glyphs({ examplesPerClass: 4 }).train;
  const algorithms = {
    maml: ks.meta.maml(ks.nn.conv4({ hidden: HIDDEN, ways: WAYS }), { innerLr: 0.4, evalSteps: STEPS, evalLr: 0.4 }),
    protonet: ks.meta.protonet(ks.nn.conv4({ hidden: HIDDEN, ways: 0 })),
  };
  for (const [name, algo] of Object.entries(algorithms)) {
    const tasks = ks.data.tasks(glyphs, { ways: WAYS, shots: 1, queries: 1, seed: 0 });
    const r = await ks.train(algo, tasks, { iterations: 1, checkpoint: { path: join(dir, `${name}.safetensors`) } });
    for (const t of Object.values(r.params)) t.dispose();
  }
}

/** 5 Omniglot evaluation characters (the first of 5 alphabets spread over the set), ink = 1. */
function omniglotTask() {
  const index = JSON.parse(readFileSync(join(omniglotDir, "omniglot-28.json"), "utf8"));
  const bytes = readFileSync(join(omniglotDir, "omniglot-28.bin"));
  const alphabets = index.sets.find((s) => s.name === "evaluation").alphabets;
  const chars = Array.from({ length: WAYS }, (_, w) => alphabets[Math.floor((w * alphabets.length) / WAYS)].characters[0]);
  return { source: `omniglot evaluation: ${chars.map((c) => c.id).join(", ")}`, image: (w, e) => {
    const start = (chars[w].offset + e) * SIZE * SIZE;
    return Float32Array.from(bytes.subarray(start, start + SIZE * SIZE), (v) => 1 - v / 255);
  } };
}

/** 5 glyph classes of the test part (seed 0), ink = 1, when Omniglot is absent. */
async function glyphTask() {
  const ks = await import(pathToFileURL(join(root, "dist/kshot.mjs")).href);
  const classes = Array.from({ length: WAYS }, (_, w) => ks.data.renderGlyphClass(0, 1600 + w, SHOTS + QUERIES, SIZE));
  return { source: "glyphs seed 0, classes 1600-1604", image: (w, e) => Float32Array.from(classes[w].subarray(e * SIZE * SIZE, (e + 1) * SIZE * SIZE), (v) => v / 255) };
}

/**
 * Writes task.json and task.bin: support (class-major, SHOTS each), then queries (QUERIES each);
 * `deterministic` false asks the runners for the fast mode.
 */
function writeTask(dir, { source, image }, deterministic) {
  const pixels = SIZE * SIZE;
  const floats = new Float32Array(WAYS * (SHOTS + QUERIES) * pixels);
  const labels = [];
  let at = 0;
  for (const [first, count] of [[0, SHOTS], [SHOTS, QUERIES]]) {
    for (let w = 0; w < WAYS; w++) {
      for (let e = first; e < first + count; e++) {
        floats.set(image(w, e), at);
        at += pixels;
        if (first === 0) labels.push(w);
      }
    }
  }
  writeFileSync(join(dir, "task.json"), JSON.stringify({ size: SIZE, ways: WAYS, shots: SHOTS, queries: QUERIES, labels, source, deterministic }));
  writeFileSync(join(dir, "task.bin"), new Uint8Array(floats.buffer));
  return source;
}

/** Node binaries to measure (KSHOT_EDGE_NODES, comma-separated paths), else the one running this bench. */
const nodeBinaries = (process.env.KSHOT_EDGE_NODES ?? process.execPath).split(",");

/** Each runtime's measurements: one per Node binary, one each for Deno and Chromium. */
const runners = {
  node: (dir) => nodeBinaries.map((node) => () => runChild(node, ["bench/edge-adapt/process-runner.mjs", "dist/kshot.mjs", dir], { cwd: root })),
  deno: (dir) => [() => {
    const deno = process.env.DENO_PATH ?? join(root, "node_modules/.bin/deno");
    if (!existsSync(deno)) throw new Error(`no Deno at ${deno}`);
    return runChild(deno, ["run", "-A", "--no-config", "bench/edge-adapt/process-runner.mjs", "dist/kshot.mjs", dir], { cwd: root });
  }],
  chromium: (dir) => [() => runInChromium(root, dir)],
};

/** PyTorch's figure from the peer, or why there is none. */
function torchFigure() {
  if (quick) return { torch: null, why: "--quick skips PyTorch" };
  // The peer measures its MAML, FOMAML and ProtoNet workloads before edge adaptation (~15 s on an idle
  // machine, minutes on a busy one), hence the limit.
  const r = runTorchPeer({ shared, omniglotDir, timeoutMs: 300_000 });
  if (!r.peer) return { torch: null, why: r.why };
  return { torch: r.peer.adapt_5w5s_10steps_predict75_ms, ...r.env };
}

needBuild();
const work = mkdtempSync(join(tmpdir(), "kshot-edge-"));
try {
  await makeCheckpoints(work);
  const images = omniglotDir && existsSync(join(omniglotDir, "omniglot-28.bin")) ? omniglotTask() : await glyphTask();
  const wanted = (process.env.KSHOT_EDGE_RUNTIMES ?? "node,deno,chromium").split(",");
  const results = [];
  let data = "";
  for (const deterministic of fast ? [true, false] : [true]) {
    data = writeTask(work, images, deterministic);
    for (const runtime of wanted) {
      for (const measure of runners[runtime](work)) {
        const before = loadBefore();
        try {
          results.push({ runtime, deterministic, before, ...(await measure()) });
        } catch (e) {
          results.push({ runtime, deterministic, before, error: e.message });
        }
      }
    }
  }
  const torchBefore = loadBefore();
  const torch = torchFigure();
  const common = { backend: "wasm", model: `conv4 hidden ${HIDDEN}`, task: `${WAYS}-way ${SHOTS}-shot, ${WAYS * QUERIES} queries`, data, ...machine() };
  for (const { runtime, deterministic, before, ...r } of results) {
    const mode = { mode: deterministic ? "deterministic" : "fast", ...before };
    if (r.error) {
      print({ name: "edge_adapt_5w5s_10steps_predict75", runtime, ...common, ...mode, median_ms: null, why: r.error });
      continue;
    }
    const run = { runtime_version: r.runtimeVersion, ...mode, build: r.build, threads: r.threads, peak_wasm_memory_mib: round(r.wasmMemoryBytes / 2 ** 20, 1), peak_rss_mib: r.peakRssMiB ?? null };
    const ms = r.maml.medianMs;
    print({
      name: "edge_adapt_5w5s_10steps_predict75", runtime, ...common, ...run, steps: STEPS, lr: 0.4,
      median_ms: round(ms, 1), runs_ms: r.maml.runsMs, gflop: round(ADAPT_FLOPS / 1e9), gflops: round(ADAPT_FLOPS / 1e6 / ms),
      torch_ms: torch.torch, ratio_kshot_over_torch: torch.torch ? round(ms / torch.torch) : null,
      ...(torch.torch ? {} : { why_no_torch: torch.why }),
    });
    print({
      name: "edge_adapt_protonet_5w5s_predict75", runtime, ...common, ...run,
      median_ms: round(r.protonet.medianMs, 1), adapt_median_ms: round(r.protonet.adaptMedianMs, 1), predict_median_ms: round(r.protonet.predictMedianMs, 1),
      runs_ms: r.protonet.runsMs, goal_ms: 20, meets_goal: r.protonet.medianMs < 20,
      gflop: round(PROTO_FLOPS / 1e9, 3), gflops: round(PROTO_FLOPS / 1e6 / r.protonet.medianMs),
    });
  }
  print({
    name: "edge_adapt_torch_peer", torch: torch.torch ?? null, ...(torch.torch ? { torch_version: torch.torchVersion, threads: torch.threads, omp_wait_policy: torch.ompWaitPolicy, blas: torch.blas } : { why: torch.why }),
    gflops: torch.torch ? round(ADAPT_FLOPS / 1e6 / torch.torch) : null, gflop: round(ADAPT_FLOPS / 1e9), ...machine(), ...torchBefore,
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
