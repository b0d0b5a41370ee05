// WebGPU backend: matmul and conv2d GFLOP/s on whatever adapter is present (Node: the `webgpu` package on
// Mesa 25 lavapipe, see scripts/ci/install-webgpu-node.sh). Every JSON line carries the adapter's
// description and whether it is a software one, so a run on a real GPU is comparable. Kernels are
// recorded back to back and timed to a completed queue (sync), best of several rounds, after a warm-up
// call that compiles the pipeline. `--quick` shortens it. Without an adapter it prints one "skipped" line.
// Also: a fused elementwise chain (Adam's update) against the same ops one kernel each, and the counters of
// whole training steps (second-order MAML meta-iteration + Adam, ProtoNet episode + Adam: dispatches, bind
// groups created, ms) through the public API.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runtimeVersion } from "./runtime-version.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const quick = (globalThis.Deno?.args ?? process.argv).includes("--quick");

/** The backend and the Node GPU loader, bundled with esbuild (Node cannot import .ts). */
async function loadBackend() {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "generate"], { cwd: root, stdio: "inherit" });
  const esbuild = await import("esbuild");
  // Inside node_modules so that the bundle's `import "webgpu"` resolves.
  const cache = join(root, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "kshot-webgpu-bench-"));
  const outfile = join(dir, "webgpu-backend.mjs");
  await esbuild.build({
    stdin: {
      contents: 'export * from "./src/backend/webgpu/index.ts"; export { nodeGPU } from "./test/support/webgpu-node.ts"; ' +
        'export * as ks from "./src/index.ts";',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true, format: "esm", platform: "node", external: ["webgpu"], outfile, logLevel: "warning",
  });
  const mod = await import(pathToFileURL(outfile).href);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

function randomArray(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

// Deno runs the TypeScript sources as they are, on navigator.gpu (node_modules/.bin/deno run -A bench/webgpu-kernels.bench.mjs).
const inDeno = typeof globalThis.Deno !== "undefined";
const { createWebGPUBackend, probeWebGPU, nodeGPU, ks } = inDeno
  ? { ...(await import("../src/backend/webgpu/index.ts")), ks: await import("../src/index.ts") }
  : await loadBackend();
const gpu = inDeno ? navigator.gpu : await nodeGPU();
const probe = await probeWebGPU(gpu ?? undefined);
if (!gpu || !probe.available) {
  console.log(JSON.stringify({ name: "webgpu", skipped: `no WebGPU adapter: ${probe.reason ?? "the webgpu package did not load"}` }));
  globalThis.Deno ? globalThis.Deno.exit(0) : process.exit(0);
}
const backend = await createWebGPUBackend({ gpu, allowSoftware: true });
const adapter = {
  adapter: probe.description, software: probe.isSoftware, runtime: runtimeVersion(),
};

function upload(data) {
  const b = backend.allocate("float32", data.length);
  backend.write(b, data);
  return b;
}

/** Best milliseconds per call: rounds of `reps` calls recorded back to back, timed to a finished queue. */
async function time(fn, { rounds = quick ? 2 : 4, minMs = quick ? 100 : 400 } = {}) {
  fn();
  await backend.sync();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    await backend.sync();
    const dt = performance.now() - t0;
    if (dt >= minMs / 4 || reps >= 1024) break;
    reps *= 2;
  }
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    await backend.sync();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

// ---- matmul: square sizes, and the batched small products of a meta-batch ----
const squares = quick ? [128, 256] : [128, 256, 512];
for (const n of squares) {
  const a = upload(randomArray(n * n, 1)), b = upload(randomArray(n * n, 2)), out = backend.allocate("float32", n * n);
  const p = { batch: 1, m: n, n, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const ms = await time(() => backend.matmul(a, b, out, p));
  console.log(JSON.stringify({ name: "webgpu_matmul", size: n, ms: round(ms), gflops: round((2 * n ** 3) / (ms * 1e6)), ...adapter }));
  for (const x of [a, b, out]) backend.free(x);
}
{
  // 32 tasks x (75 x 64) . (64 x 64): a linear layer over a meta-batch as one batched dispatch.
  const [batch, m, k, n] = [32, 75, 64, 64];
  const a = upload(randomArray(batch * m * k, 3)), b = upload(randomArray(batch * k * n, 4)), out = backend.allocate("float32", batch * m * n);
  const p = { batch, m, n, k, transA: false, transB: false, aBatchStride: m * k, bBatchStride: k * n };
  const ms = await time(() => backend.matmul(a, b, out, p));
  console.log(JSON.stringify({ name: "webgpu_matmul_batched", batch, m, n, k, ms: round(ms), gflops: round((2 * batch * m * n * k) / (ms * 1e6)), ...adapter }));
  for (const x of [a, b, out]) backend.free(x);
}

// ---- conv2d: Conv-4 layer shapes (3x3, pad 1, 64 filters), and a meta-batch as groups ----
function convParams(batch, inC, outC, size, groups) {
  return { batch, inC, inH: size, inW: size, outC, outH: size, outW: size, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups };
}
const convCases = [
  { what: "conv4 layer 1", p: convParams(quick ? 10 : 20, 1, 64, 28, 1) },
  { what: "conv4 layer 2", p: convParams(quick ? 10 : 20, 64, 64, 14, 1) },
  { what: "conv4 layer 2, 8 tasks as groups", p: convParams(5, 8 * 64, 8 * 64, 14, 8) },
];
for (const { what, p } of convCases) {
  const icg = p.inC / p.groups;
  const flops = 2 * p.batch * p.outC * p.outH * p.outW * icg * p.kh * p.kw;
  const x = upload(randomArray(p.batch * p.inC * p.inH * p.inW, 5)), w = upload(randomArray(p.outC * icg * 9, 6));
  const dy = upload(randomArray(p.batch * p.outC * p.outH * p.outW, 7));
  const y = backend.allocate("float32", p.batch * p.outC * p.outH * p.outW);
  const dx = backend.allocate("float32", p.batch * p.inC * p.inH * p.inW), dw = backend.allocate("float32", p.outC * icg * 9);
  const kernels = {
    conv2d_forward: () => backend.conv2d(x, w, y, p),
    conv2d_backward_data: () => backend.conv2dBackwardData(dy, w, dx, p),
    conv2d_backward_filter: () => backend.conv2dBackwardFilter(x, dy, dw, p),
  };
  for (const [name, fn] of Object.entries(kernels)) {
    const ms = await time(fn);
    console.log(JSON.stringify({ name: `webgpu_${name}`, case: what, batch: p.batch, inC: p.inC, outC: p.outC, size: p.inH, groups: p.groups,
      ms: round(ms), gflops: round(flops / (ms * 1e6)), ...adapter }));
  }
  for (const b of [x, w, dy, y, dx, dw]) backend.free(b);
}

// ---- fusion: Adam's parameter update as one program vs the same ops one kernel each ----
{
  const n = quick ? 1 << 16 : 1 << 18;
  const [p, m, v] = [1, 2, 3].map((seed) => upload(randomArray(n, seed).map(Math.abs)));
  const [root2, stepSize] = [upload(Float32Array.of(0.9)), upload(Float32Array.of(1e-3))];
  const out = backend.allocate("float32", n);
  const temps = Array.from({ length: 5 }, () => backend.allocate("float32", n));
  const full = [1], scalar = [0];
  const bc = (...strides) => ({ outShape: [n], strides });
  // out = p − m / (√v / root2 + ε) · stepSize
  const program = { inputs: 5, steps: [
    { kind: "unary", op: "sqrt", x: 2 }, { kind: "binary", op: "div", a: 5, b: 3 }, { kind: "const", value: 1e-8 },
    { kind: "binary", op: "add", a: 6, b: 7 }, { kind: "binary", op: "div", a: 1, b: 8 },
    { kind: "binary", op: "mul", a: 9, b: 4 }, { kind: "binary", op: "sub", a: 0, b: 10 },
  ] };
  const eps = upload(Float32Array.of(1e-8));
  const cases = {
    fused: () => backend.elementwise(program, [p, m, v, root2, stepSize], out, bc(full, full, full, scalar, scalar)),
    unfused: () => {
      backend.unary("sqrt", v, temps[0]);
      backend.binary("div", temps[0], root2, temps[1], bc(full, scalar));
      backend.binary("add", temps[1], eps, temps[2], bc(full, scalar));
      backend.binary("div", m, temps[2], temps[3], bc(full, full));
      backend.binary("mul", temps[3], stepSize, temps[4], bc(full, scalar));
      backend.binary("sub", p, temps[4], out, bc(full, full));
    },
  };
  const ms = {};
  for (const [what, fn] of Object.entries(cases)) ms[what] = await time(fn);
  console.log(JSON.stringify({ name: "webgpu_fused_adam_update", elements: n, dispatches: { fused: 1, unfused: 6 },
    ms_fused: round(ms.fused, 3), ms_unfused: round(ms.unfused, 3), speedup: round(ms.unfused / ms.fused), ...adapter }));
  for (const b of [p, m, v, root2, stepSize, out, eps, ...temps]) backend.free(b);
}

console.log(JSON.stringify({ name: "webgpu_counters", ...backend.counters, pipelines: backend.pipelinesCompiled, ...adapter }));
backend.dispose();

// ---- whole training steps through the public API: dispatches, bind groups created, ms per step ----
await ks.init({ backend: "webgpu", gpu });
{
  const rng = new ks.Rng(3);
  const [size, hidden, tasks] = [16, 8, 4];
  const images = (t, n) => ks.tensor(Float32Array.from({ length: t * n * size * size }, () => rng.uniform()), [t, n, 1, size, size]);
  const labels = (t, n, ways) => ks.tensor(Int32Array.from({ length: t * n }, (_, i) => i % ways), [t, n], "int32");
  const workloads = [
    { name: "webgpu_maml_meta_iteration", what: `second-order MAML + Adam, Conv-4 hidden ${hidden}, ${size}px, 5-way 1-shot, meta-batch ${tasks}`,
      algo: ks.meta.maml(ks.nn.conv4({ hidden, ways: 5, size }), { innerLr: 0.4, innerSteps: 1 }),
      batch: { support: { x: images(tasks, 5), y: labels(tasks, 5, 5) }, query: { x: images(tasks, 5), y: labels(tasks, 5, 5) }, ways: 5 } },
    { name: "webgpu_protonet_episode", what: `ProtoNet + Adam, Conv-4 hidden ${hidden}, ${size}px, 5-way 5-shot 5-query`,
      algo: ks.meta.protonet(ks.nn.conv4({ hidden, ways: 0, size })),
      batch: { support: { x: images(1, 25), y: labels(1, 25, 5) }, query: { x: images(1, 25), y: labels(1, 25, 5) }, ways: 5 } },
  ];
  for (const w of workloads) {
    const optimizer = ks.optim.adam({ lr: 1e-3 });
    let params = w.algo.init(new ks.Rng(0));
    const step = async () => {
      const s = w.algo.step(params, w.batch);
      const next = optimizer.update(params, s.grads);
      ks.flush();
      await s.loss.item();
      ks.tidy(() => [s.loss, s.accuracy, ...Object.values(s.grads), ...Object.values(s.adapted ?? {}), ...Object.values(params)].forEach((t) => t?.dispose()));
      params = next;
    };
    // Warm-up: pipelines compile, the pool fills, and the bind-group cache settles (params move each step).
    for (let i = 0; i < 8; i++) await step();
    const counters = ks.backendInUse().counters;
    const before = { ...counters };
    const steps = quick ? 2 : 4;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await step();
    const ms = (performance.now() - t0) / steps;
    const per = (k) => (counters[k] - before[k]) / steps;
    console.log(JSON.stringify({ name: w.name, workload: w.what, ms: round(ms), dispatches: per("dispatches"),
      bind_groups_created: per("bindGroupsCreated"), submits: per("submits"), allocations: per("allocations"), ...adapter }));
    Object.values(params).forEach((t) => t.dispose());
    optimizer.dispose();
  }
}
