// Shared by the wasm benchmarks: builds and bundles kshot's wasm backend (Node cannot import .ts), starts
// TensorFlow.js 4.22 (wasm = XNNPACK, one thread; cpu for kernels the wasm backend lacks), and times
// calls robustly on a noisy shared machine (interleaved rounds, best round kept).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const quick = process.argv.includes("--quick");

/** kshot's wasm backend module, freshly generated and bundled. */
export async function loadKshotWasm() {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "generate"], { cwd: root, stdio: "inherit" });
  const esbuild = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "kshot-bench-"));
  const outfile = join(dir, "wasm-backend.mjs");
  await esbuild.build({
    entryPoints: [join(root, "src/backend/wasm/index.ts")], bundle: true, format: "esm", platform: "neutral",
    outfile, logLevel: "warning",
  });
  const mod = await import(pathToFileURL(outfile).href);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

/** TensorFlow.js core with its wasm backend (single-threaded XNNPACK) and its cpu backend registered. */
export async function loadTfjs() {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-cpu");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist") + "/");
  wasm.setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  return tf;
}

/** Milliseconds per call: the best of `rounds` rounds, each long enough to be measurable. */
export function timeCall(fn, { minMs = quick ? 40 : 150 } = {}) {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= minMs / 4 || reps >= 1 << 20) return { reps, first: dt / reps };
    reps *= 2;
  }
}

/**
 * Times several contenders on the same work, interleaving their rounds so that machine noise (steal time
 * on a shared VM) hits them alike. Returns the best ms per call for each; `pairedRatio` reads the rounds.
 */
export function compare(contenders, { rounds = quick ? 3 : 7, minMs = quick ? 40 : 150 } = {}) {
  const names = Object.keys(contenders);
  const reps = {}, best = {}, perRound = {};
  for (const name of names) {
    reps[name] = timeCall(contenders[name], { minMs }).reps;
    best[name] = Infinity;
    perRound[name] = [];
  }
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const fn = contenders[name];
      const t0 = performance.now();
      for (let i = 0; i < reps[name]; i++) fn();
      const ms = (performance.now() - t0) / reps[name];
      best[name] = Math.min(best[name], ms);
      perRound[name].push(ms);
    }
  }
  Object.defineProperty(best, "perRound", { value: perRound, enumerable: false });
  return best;
}

/**
 * How many times faster `fast` ran than `slow`: the median over rounds of the ratio of their times in the
 * same round (adjacent in time, so a slow phase of the machine cancels out).
 */
export function pairedRatio(result, fast, slow) {
  const a = result.perRound[fast], b = result.perRound[slow];
  const ratios = a.map((ms, i) => b[i] / ms).sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  return ratios.length % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

export function randomArray(n, seed = 1) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

export const round = (x, digits = 2) => Number(x.toFixed(digits));

export const machine = () => ({ node: process.version, cpus: (globalThis.navigator?.hardwareConcurrency) ?? null });
