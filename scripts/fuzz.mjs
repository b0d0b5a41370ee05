// `npm run fuzz`: the seeded fuzzers of test/fuzz with many cases (KSHOT_FUZZ_CASES per fuzzer, default
// 17,000: ≥ 100,000 in all), in Node. Prints each fuzzer's counts and the total; exits non-zero on a failure.
// Usage: node scripts/fuzz.mjs [cases per fuzzer]
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cases = process.argv[2] ?? process.env.KSHOT_FUZZ_CASES ?? "17000";
if (!/^[1-9][0-9]*$/.test(cases)) {
  console.error(`fuzz: expected a positive integer of cases per fuzzer, got ${JSON.stringify(cases)}`);
  process.exit(2);
}
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const child = spawn(process.execPath, [vitest, "run", "test/fuzz"], { cwd: root, env: { ...process.env, KSHOT_FUZZ_CASES: cases }, stdio: ["ignore", "pipe", "inherit"] });
let output = "";
child.stdout.on("data", (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});
child.on("close", (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, ""); // vitest colours its output
  const reports = [...plain.matchAll(/^fuzz ([\w-]+): (\{.*\})$/gm)].map((m) => ({ name: m[1], ...JSON.parse(m[2]) }));
  const total = reports.reduce((n, r) => n + r.cases, 0);
  const slowest = Math.max(0, ...reports.map((r) => r.slowestMs));
  console.log(`\nfuzz: ${reports.length} fuzzers, ${total} cases (${reports.map((r) => `${r.name} ${r.cases}`).join(", ")}); slowest case ${slowest.toFixed(0)} ms; ${code === 0 ? "no failure" : "FAILED"}`);
  process.exit(code ?? 1);
});
