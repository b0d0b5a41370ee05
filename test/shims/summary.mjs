// The lines the test runners agree on: each runner's LAST line is `N passed, N failed`; a runner whose
// runtime is missing prints `runtime unavailable: <reason>` (a skip outside CI, a failure with CI=true).
import { availableParallelism } from "node:os";

export const UNAVAILABLE = "runtime unavailable: ";

export function countsLine({ passed, failed }) {
  return `${passed} passed, ${failed} failed`;
}

export function stripAnsi(text) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes it strips.
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

/** The counts from the last `N passed, N failed` line of a runner's output, or undefined. */
export function parseCountsLine(output) {
  const lines = stripAnsi(output).trimEnd().split(/\r?\n/);
  const match = /^(\d+) passed, (\d+) failed$/.exec(lines.at(-1)?.trim() ?? "");
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : undefined;
}

/** The reason from a `runtime unavailable:` line, or undefined. */
export function parseUnavailable(output) {
  const line = stripAnsi(output).split(/\r?\n/).find((l) => l.startsWith(UNAVAILABLE));
  return line?.slice(UNAVAILABLE.length).trim();
}

/** Test files run at once in Deno and Chromium: KSHOT_TEST_JOBS, else one per core up to 2. */
export function testJobs(env = process.env, cores = availableParallelism()) {
  const asked = Number.parseInt(env.KSHOT_TEST_JOBS ?? "", 10);
  return asked >= 1 ? asked : Math.min(2, cores);
}

export function isCI() {
  return /^(1|true|yes)$/i.test(process.env.CI ?? "");
}

/** Reports a missing runtime and exits: 0 outside CI (a visible skip), 1 with CI=true. */
export function exitUnavailable(reason) {
  console.log(`${UNAVAILABLE}${reason}`);
  console.log(isCI() ? "CI=true: a missing runtime is a failure" : "skipped (outside CI a missing runtime is not a failure)");
  console.log(countsLine({ passed: 0, failed: isCI() ? 1 : 0 }));
  process.exit(isCI() ? 1 : 0);
}

/**
 * Counts from the summary line of `deno test`'s pretty reporter, e.g.
 * `FAILED | 12 passed (3 steps) | 1 failed | 2 ignored (1s)`; uncaught errors in a module count as failed.
 */
export function parseDenoSummary(output) {
  const lines = stripAnsi(output).split(/\r?\n/).filter((l) => /^(ok|FAILED) \| /.test(l.trim()));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(last)?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed"), skipped: count("ignored") };
}

/** Runs a child process, streaming its output through while keeping it for parsing. */
export async function runTee(spawn, command, args, options) {
  const child = spawn(command, args, { ...options, stdio: ["inherit", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => {
    process.stdout.write(chunk);
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    process.stderr.write(chunk);
    output += chunk;
  });
  const code = await new Promise((resolve) => {
    child.on("error", (error) => {
      output += `\n${error.message}\n`;
      resolve(127);
    });
    child.on("close", (status, signal) => resolve(status ?? (signal ? 128 : 1)));
  });
  return { code, output };
}

/**
 * Counts from vitest's JSON report. A test file that fails outside any test (an import error, a throwing
 * setup) counts as one failure, as it does in the Deno and browser runners.
 */
export function parseVitestJson(report) {
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}
