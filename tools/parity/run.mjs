#!/usr/bin/env node
// The learning-curve parity harness (tools/parity/README.md): one `kshot train` run and the PyTorch
// reference (tools/parity/torch_reference.py) trained side by side from the same initial parameters on
// the same episodes, validated on the same episodes at the same iterations. Writes
// bench/parity/<name>.json: both curves, the command, wall times, CPU model and load.
//
// Usage: node tools/parity/run.mjs --name NAME --iterations N --eval-every K [--threads T] -- <kshot train flags>
// (the kshot flags name the algorithm and data, e.g. --algo protonet --dataset omniglot --data DIR).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleExporter } from "./bundle.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function options(argv) {
  const split = argv.indexOf("--");
  if (split < 0) throw new Error("usage: run.mjs --name NAME --iterations N --eval-every K [--threads T] -- <kshot train flags>");
  const own = Object.fromEntries(argv.slice(0, split).join(" ").split("--").filter(Boolean).map((p) => p.trim().split(/\s+/)));
  for (const k of ["name", "iterations", "eval-every"]) if (!own[k]) throw new Error(`--${k} is required`);
  return { name: own.name, iterations: Number(own.iterations), every: Number(own["eval-every"]), threads: Number(own.threads ?? 1), kshot: argv.slice(split + 1) };
}

/** Runs a child to completion; resolves with its stdout, its wall seconds and its exit code. */
function run(command, args, env = {}) {
  return new Promise((done) => {
    const start = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => done({ code, out, err, wall: (performance.now() - start) / 1000 }));
  });
}

/** The `__metadata__` of a safetensors file, with JSON-valued entries parsed. */
function safetensorsMetadata(path) {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const meta = JSON.parse(bytes.subarray(8, 8 + length).toString("utf8")).__metadata__ ?? {};
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => { try { return [k, JSON.parse(v)]; } catch { return [k, v]; } }));
}

async function main() {
  const o = options(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), `kshot-parity-${o.name}-`));
  const load = loadavg()[0];
  try {
    const exporter = await bundleExporter(root, work);
    const exported = await run(process.execPath, [exporter, ...o.kshot, "--out", "unused"], { PARITY_OUT: work, PARITY_ITERATIONS: String(o.iterations) });
    if (exported.code !== 0) throw new Error(`exporter: ${exported.err}`);
    const checkpoint = join(work, "kshot.safetensors");
    const kshotArgs = [join(root, "dist/cli.mjs"), "train", ...o.kshot, "--iterations", String(o.iterations), "--eval-every", String(o.every),
      "--backend", "wasm", "--threads", String(o.threads), "--out", checkpoint, "--json"];
    const torchArgs = [join(root, "tools/parity/torch_reference.py"), work, "--eval-every", String(o.every), "--threads", String(o.threads)];
    const [k, t] = await Promise.all([run(process.execPath, kshotArgs), run("/usr/bin/python3", torchArgs, { OMP_NUM_THREADS: String(o.threads) })]);
    if (k.code !== 0) throw new Error(`kshot train: ${k.err}`);
    if (t.code !== 0) throw new Error(`PyTorch: ${t.err}`);
    const meta = safetensorsMetadata(checkpoint);
    const kshotCurve = meta.history.validation.map((v) => ({ iteration: v.iteration, accuracy: v.accuracy, ci95: v.ci95 }));
    const torchLines = t.out.trim().split("\n").map((l) => JSON.parse(l));
    const torchCurve = torchLines.filter((l) => l.iteration !== undefined).map(({ iteration, accuracy, ci95 }) => ({ iteration, accuracy, ci95 }));
    const result = {
      name: o.name, date: new Date().toISOString().slice(0, 10), cpu: cpus()[0]?.model, cores: cpus().length, load1: { start: load, end: loadavg()[0] },
      command: `node tools/parity/run.mjs --name ${o.name} --iterations ${o.iterations} --eval-every ${o.every} --threads ${o.threads} -- ${o.kshot.join(" ")}`,
      run: JSON.parse(readFileSync(join(work, "run.json"), "utf8")),
      kshot: { curve: kshotCurve, trainSeconds: JSON.parse(k.out.trim().split("\n").at(-1)).seconds, wallSeconds: k.wall },
      torch: { curve: torchCurve, trainSeconds: torchLines.at(-1).seconds, wallSeconds: t.wall, version: torchLines.at(-1).torch },
    };
    mkdirSync(join(root, "bench/parity"), { recursive: true });
    writeFileSync(join(root, "bench/parity", `${o.name}.json`), `${JSON.stringify(result, null, 1)}\n`);
    console.log(JSON.stringify({ name: o.name, kshot: kshotCurve, torch: torchCurve }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
