// Runs the unit suite in Deno: `deno test` directly on the TypeScript test files, with deno.json mapping
// "vitest" to the shim (each shim test becomes a Deno.test) and test/setup.ts preloaded in every test
// module's isolate, as vitest's setupFiles. Usage: node scripts/test-deno.mjs [path filters...]
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { countsLine, exitUnavailable, parseDenoSummary, runTee, testJobs } from "../test/shims/summary.mjs";
import { portableTestFiles } from "../test/shims/test-files.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const deno = process.env.DENO_PATH || join(root, "node_modules", ".bin", "deno");
if (!existsSync(deno)) exitUnavailable(`no Deno binary at ${deno} (run npm install, or set DENO_PATH)`);

const files = portableTestFiles(root, process.argv.slice(2));

// The same arguments as CLI_TRAIN_ARGS in test/learner/cli-checkpoint.ts: a small ProtoNet on glyphs (seconds).
const CLI_TRAIN_ARGS = ["train", "--algo", "protonet", "--dataset", "glyphs", "--iterations", "20", "--hidden", "8", "--ways", "5", "--shots", "1", "--queries", "2", "--meta-batch", "1", "--episodes", "10", "--backend", "wasm"];

/** test/learner/cli-checkpoint.test.ts runs the Learner in Deno on a checkpoint the NODE command line wrote. */
function cliCheckpoint() {
  if (process.env.KSHOT_CLI_CHECKPOINT) return process.env.KSHOT_CLI_CHECKPOINT;
  execFileSync(process.execPath, [join(root, "scripts", "ensure-build.mjs")], { cwd: root, stdio: "inherit" });
  const out = join(mkdtempSync(join(tmpdir(), "kshot-deno-")), "cli-protonet.safetensors");
  execFileSync(process.execPath, [join(root, "dist", "cli.mjs"), ...CLI_TRAIN_ARGS, "--out", out], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return out;
}
const started = performance.now();
let counts = { passed: 0, failed: 0, skipped: 0 };
if (files.length > 0) {
  const preload = existsSync(join(root, "test", "setup.ts")) ? ["--preload", "test/setup.ts"] : [];
  const jobs = testJobs();
  const parallel = jobs > 1 ? ["--parallel"] : [];
  const args = ["test", "-A", "--no-check", "--config", "deno.json", ...parallel, ...preload, ...files];
  const needsCheckpoint = files.some((f) => f.includes("cli-checkpoint"));
  const checkpoint = needsCheckpoint ? { KSHOT_CLI_CHECKPOINT: cliCheckpoint() } : {};
  // Mesa's window-system probe (WebGPU tests) prints "XDG_RUNTIME_DIR is invalid" without one.
  const env = { XDG_RUNTIME_DIR: tmpdir(), ...process.env, ...checkpoint, KSHOT_TEST_RUNNER: "deno", DENO_JOBS: String(jobs) };
  const { code, output } = await runTee(spawn, deno, args, { cwd: root, env });
  counts = parseDenoSummary(output) ?? { passed: 0, failed: 0, skipped: 0 };
  // A crash, or an error Deno reports outside any test, still fails the run.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`deno: ${files.length} files, ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds} s`);
console.log(countsLine(counts));
process.exit(counts.failed > 0 ? 1 : 0);
