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
import { countsLine, exitUnavailable } from "../test/shims/summary.mjs";
import { portableTestFiles } from "../test/shims/test-files.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sharedDir = resolve(root, process.env.KSHOT_SHARED ?? "../shared");
/** A file whose page reports nothing for this long has hung (the shim's own test timeout is 120 s). */
const SILENCE_LIMIT_MS = Number(process.env.KSHOT_BROWSER_SILENCE_MS ?? 150_000);

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
const server = await startTestServer({
  root,
  sharedDir,
  bundles: served,
  onError: (status, method, path) => console.log(`    [server] ${status} for ${method} ${path}`),
});
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

function fail(file, name, message) {
  counts.failed++;
  failed.push(`${file} > ${name}`);
  console.log(`  ✗ ${name}\n${indent(message)}`);
}

/** Opens the page for one file and prints its results as they come; resolves when it is done or hung. */
async function runFile(file, entry) {
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
        console.log(`  ✓ ${event.name} (${ms(event.durationMs)})`);
      } else if (event.status === "skipped") {
        counts.skipped++;
        console.log(`  - ${event.name} (skipped${event.note ? `: ${event.note}` : ""})`);
      } else fail(file, event.name, sourceStack(event.error ?? "failed"));
    } else if (event.type === "error") fail(file, "(error outside a test)", sourceStack(event.message));
    else if (event.type === "load-error") {
      fail(file, "(loading the file failed)", sourceStack(event.message));
      settle({});
    } else if (event.type === "done") settle({});
  });
  page.on("console", (message) => {
    const text = message.text();
    // The server already names each failed request with its path.
    if (text.startsWith("[kshot-test]") || text.startsWith("Failed to load resource")) return;
    console.log(`    [chromium ${message.type()}] ${text}`);
  });
  page.on("error", (error) => settle({ crashed: error.message }));
  heard();
  await page.goto(`${server.origin}/test/browser/index.html?${pageQuery(entry)}`).catch((error) => settle({ crashed: error.message }));
  const outcome = await finished;
  clearTimeout(silence);
  if (outcome.hung) fail(file, "(page stopped reporting)", `no result for ${SILENCE_LIMIT_MS / 1000} s after ${results} results; the page was closed`);
  if (outcome.crashed) fail(file, "(page crashed)", outcome.crashed);
  // A hung renderer may never answer a polite close; don't wait for it.
  await Promise.race([page.close().catch(() => undefined), new Promise((ok) => setTimeout(ok, 5000))]);
}

try {
  for (const file of files) {
    const fileStart = performance.now();
    console.log(file);
    if (warnings.has(file)) console.log(`  ! ${warnings.get(file)}`);
    const problem = bundleFailures.get(file);
    if (problem) fail(file, "(bundling the file failed)", `${problem}\n(a file that needs Node APIs must be named *.node.test.ts)`);
    else await runFile(file, entries.get(file));
    console.log(`  ${ms(performance.now() - fileStart)}`);
  }
} finally {
  await close();
  await server.close();
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failed.length > 0) console.log(`\nFailed:\n${failed.map((f) => `  ${f}`).join("\n")}`);
console.log(`chromium: ${files.length} files, ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds} s`);
console.log(countsLine(counts));
process.exit(counts.failed > 0 ? 1 : 0);
