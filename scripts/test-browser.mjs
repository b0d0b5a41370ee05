// Runs the unit suite in headless Chromium: bundles each portable test file (test/browser/bundle.mjs),
// serves the repository, ../shared and the bundles on 127.0.0.1, and opens the test page once per file
// (a fresh page, as vitest and Deno give each file a fresh runtime). The page loads dist/kshot.js with a
// <script> tag; KSHOT_* variables travel in the query string. Usage: node scripts/test-browser.mjs [filters...]
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTests } from "../test/browser/bundle.mjs";
import { findChromium, launchChromium } from "../test/browser/chromium.mjs";
import { startTestServer } from "../test/browser/server.mjs";
import { stackMapper } from "../test/browser/source-maps.mjs";
import { countsLine, exitUnavailable, testJobs } from "../test/shims/summary.mjs";
import { portableTestFiles } from "../test/shims/test-files.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sharedDir = resolve(root, process.env.KSHOT_SHARED ?? "../shared");
/** A file whose page reports nothing for this long has hung (the shim's own test timeout is 120 s). */
const SILENCE_LIMIT_MS = Number(process.env.KSHOT_BROWSER_SILENCE_MS ?? 150_000);
/** Pages open at once; output stays in file order either way. */
const JOBS = testJobs();

const chromium = findChromium();
if (!chromium) {
  exitUnavailable(`no Chromium (looked for ${process.env.CHROME_PATH ?? "/usr/bin/chromium"}; install it with apt-get install chromium, or set CHROME_PATH)`);
}
if (!existsSync(join(root, "dist", "kshot.js"))) {
  console.error("dist/kshot.js is missing: run `npm run build` (npm run test:browser builds first)");
  console.log(countsLine({ passed: 0, failed: 1 }));
  process.exit(1);
}

const started = performance.now();
const files = portableTestFiles(root, process.argv.slice(2));
const { served, entries, failures: bundleFailures, warnings, outdir } = await bundleTests(root, files);
const sourceStack = stackMapper(root, outdir, served);
const server = await startTestServer({ root, sharedDir, bundles: served });
const { browser, close } = await launchChromium(chromium);

function pageQuery(entry) {
  const query = new URLSearchParams({ entry });
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith("KSHOT_") && v !== undefined) query.set(k, v);
  query.set("KSHOT_TEST_RUNNER", "browser");
  if (process.env.CI) query.set("CI", process.env.CI);
  if (process.env.KSHOT_BACKEND) query.set("backend", process.env.KSHOT_BACKEND); // test/setup.ts reads this name
  return query;
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const failed = [];
const ms = (x) => `${Math.round(x)} ms`;
const indent = (text) => text.split("\n").map((l) => `      ${l}`).join("\n");

/**
 * Output in file order while files run concurrently: the earliest unfinished file prints live, the others
 * are held until every file before them has finished.
 */
function orderedOutput(count) {
  const held = Array.from({ length: count }, () => []);
  const finished = new Array(count).fill(false);
  let current = 0;
  return {
    log(i, line) {
      if (i === current) console.log(line);
      else held[i].push(line);
    },
    finish(i) {
      finished[i] = true;
      while (current < count && finished[current]) {
        current++;
        if (current < count) for (const line of held[current].splice(0)) console.log(line);
      }
    },
  };
}

/** Opens a fresh page for one file and reports its results as they come; resolves when done or hung. */
async function runFile(file, entry, log) {
  const fail = (name, message) => {
    counts.failed++;
    failed.push(`${file} > ${name}`);
    log(`  ✗ ${name}\n${indent(message)}`);
  };
  const problem = bundleFailures.get(file);
  if (problem) return fail("(bundling the file failed)", `${problem}\n(a file that needs Node APIs must be named *.node.test.ts)`);
  const page = await browser.newPage();
  let settle;
  const finished = new Promise((ok) => (settle = ok));
  let silence;
  const heard = () => {
    clearTimeout(silence);
    silence = setTimeout(() => settle({ hung: true }), SILENCE_LIMIT_MS);
  };
  let results = 0;
  await page.exposeFunction("__kshotReport", (json) => {
    heard();
    const event = JSON.parse(json);
    if (event.type === "result") {
      results++;
      if (event.status === "passed") {
        counts.passed++;
        log(`  ✓ ${event.name} (${ms(event.durationMs)})`);
      } else if (event.status === "skipped") {
        counts.skipped++;
        log(`  - ${event.name} (skipped${event.note ? `: ${event.note}` : ""})`);
      } else fail(event.name, sourceStack(event.error ?? "failed"));
    } else if (event.type === "error") fail("(error outside a test)", sourceStack(event.message));
    else if (event.type === "load-error") {
      const hint = /Failed to fetch dynamically imported module/.test(event.message)
        ? "\n(a module it imports could not load: see the lines above; Node-only tests are named *.node.test.ts)"
        : "";
      fail("(loading the file failed)", sourceStack(event.message) + hint);
      settle({});
    } else if (event.type === "done") settle({});
  });
  page.on("console", (message) => {
    const text = message.text();
    // The server already names each failed request with its path.
    if (text.startsWith("[kshot-test]") || text.startsWith("Failed to load resource")) return;
    log(`    [chromium ${message.type()}] ${text}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) log(`    [server] ${response.status()} for ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on("error", (error) => settle({ crashed: error.message }));
  heard();
  const url = `${server.origin}/test/browser/index.html?${pageQuery(entry)}`;
  await page.goto(url).catch((error) => settle({ crashed: error.message }));
  const outcome = await finished;
  clearTimeout(silence);
  if (outcome.hung) fail("(page stopped reporting)", `no result for ${SILENCE_LIMIT_MS / 1000} s after ${results} results; the page was closed`);
  if (outcome.crashed) fail("(page crashed)", outcome.crashed);
  // A hung renderer may never answer a polite close; don't wait for it.
  await Promise.race([page.close().catch(() => undefined), new Promise((ok) => setTimeout(ok, 5000))]);
}

try {
  const output = orderedOutput(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const fileStart = performance.now();
      const log = (line) => output.log(i, line);
      log(files[i]);
      if (warnings.has(files[i])) log(`  ! ${warnings.get(files[i])}`);
      await runFile(files[i], entries.get(files[i]), log);
      log(`  ${ms(performance.now() - fileStart)}`);
      output.finish(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, JOBS) }, worker));
} finally {
  await close();
  await server.close();
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failed.length > 0) console.log(`\nFailed:\n${failed.map((f) => `  ${f}`).join("\n")}`);
console.log(`chromium: ${files.length} files, ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds} s`);
console.log(countsLine(counts));
process.exit(counts.failed > 0 ? 1 : 0);
