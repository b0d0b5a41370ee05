// `npm test`: the unit suite in Node (vitest), then Deno, then headless Chromium, one child process each,
// then (without path filters) the PyTorch golden cases, the API reference (TypeDoc), the demo page and the packed package
// (KSHOT_BACKEND and the other KSHOT_* variables pass through). Prints a summary per runtime and, as its
// LAST line, `N passed, N failed` over all of them. Outside CI a missing runtime is skipped with a message;
// with CI=true it fails. Usage: node scripts/test-all.mjs [path filters...]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { countsLine, isCI, parseCountsLine, parseUnavailable, parseVitestJson, runTee } from "../test/shims/summary.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const filters = process.argv.slice(2);

async function node() {
  const dir = mkdtempSync(join(tmpdir(), "kshot-vitest-"));
  const report = join(dir, "report.json");
  const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
  const args = [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...filters];
  const env = { ...process.env, KSHOT_TEST_RUNNER: "node", ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}) };
  const { code } = await runTee(spawn, process.execPath, args, { cwd: root, env });
  let counts;
  try {
    counts = parseVitestJson(JSON.parse(readFileSync(report, "utf8")));
  } catch {
    counts = { passed: 0, failed: 0, skipped: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { code, counts };
}

function script(path) {
  return async () => {
    const { code, output } = await runTee(spawn, process.execPath, [join(root, path), ...filters], { cwd: root, env: process.env });
    const unavailable = parseUnavailable(output);
    const counts = parseCountsLine(output) ?? { passed: 0, failed: 0 };
    const skipped = Number(/(\d+) skipped in /.exec(output)?.[1] ?? 0);
    return { code, counts: { ...counts, skipped }, unavailable };
  };
}

/** The PyTorch golden cases (scripts/golden.mjs) on one backend, in Node. */
function golden(backend) {
  return async () => {
    const env = { ...process.env, KSHOT_BACKEND: backend };
    const { code, output } = await runTee(spawn, process.execPath, [join(root, "scripts/golden.mjs")], { cwd: root, env });
    return { code, counts: { ...(parseCountsLine(output) ?? { passed: 0, failed: 0 }), skipped: 0 } };
  };
}

/** The API reference (TypeDoc, typedoc.json: warnings are errors), as `npm run docs` builds it. */
async function apiDocs() {
  const typedoc = join(root, "node_modules", "typedoc", "bin", "typedoc");
  const { code } = await runTee(spawn, process.execPath, [typedoc], { cwd: root, env: process.env });
  return { code, counts: { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 } };
}

const RUNTIMES = [
  { name: "node", title: "Node (vitest)", run: node },
  { name: "deno", title: "Deno (deno test)", run: script("scripts/test-deno.mjs") },
  { name: "chromium", title: "Chromium (puppeteer)", run: script("scripts/test-browser.mjs") },
  // The golden suite on every backend and the demo page (a path filter means a partial run: then they are left out).
  ...(filters.length ? [] : ["reference", "wasm", "webgpu"].map((b) => ({ name: `golden:${b}`, title: `PyTorch golden cases on ${b} (Node)`, run: golden(b) }))),
  ...(filters.length ? [] : [{ name: "api docs", title: "API reference from the doc comments (TypeDoc)", run: apiDocs }]),
  ...(filters.length ? [] : [{ name: "demo", title: "The demo page, driven in Chromium (scripts/test-demo.mjs)", run: script("scripts/test-demo.mjs") }]),
  ...(filters.length ? [] : [{ name: "consumer", title: "The packed package in an empty project: Node, TypeScript, Deno, Chromium (scripts/test-consumer.mjs)", run: script("scripts/test-consumer.mjs") }]),
];

const rows = [];
for (const runtime of RUNTIMES) {
  console.log(`\n━━━ ${runtime.title} ━━━`);
  const start = performance.now();
  const { code, counts, unavailable } = await runtime.run();
  const seconds = (performance.now() - start) / 1000;
  // A runner that exits non-zero without counting a failure (a crash) still fails.
  if (code !== 0 && counts.failed === 0 && !(unavailable && !isCI())) counts.failed = 1;
  const status = unavailable ? (isCI() ? "missing" : "skipped") : counts.failed > 0 ? "failed" : "passed";
  rows.push({ name: runtime.name, status, counts, seconds, unavailable });
}

console.log("\n━━━ summary ━━━");
const pad = (s, n) => String(s).padEnd(n);
const num = (s, n) => String(s).padStart(n);
console.log(`${pad("runtime", 17)}${pad("result", 9)}${num("passed", 7)}${num("failed", 8)}${num("skipped", 9)}${num("time", 10)}`);
for (const r of rows) {
  const line = `${pad(r.name, 17)}${pad(r.status, 9)}${num(r.counts.passed, 7)}${num(r.counts.failed, 8)}${num(r.counts.skipped, 9)}${num(`${r.seconds.toFixed(1)} s`, 10)}`;
  console.log(r.unavailable ? `${line}   (${r.unavailable})` : line);
}
const total = rows.reduce((t, r) => ({ passed: t.passed + r.counts.passed, failed: t.failed + r.counts.failed }), { passed: 0, failed: 0 });
const backend = process.env.KSHOT_BACKEND ?? "reference";
console.log(`backend ${backend}; ${rows.reduce((t, r) => t + r.seconds, 0).toFixed(1)} s in all`);
console.log(countsLine(total));
process.exit(total.failed > 0 || rows.some((r) => r.status === "failed" || r.status === "missing") ? 1 : 0);
