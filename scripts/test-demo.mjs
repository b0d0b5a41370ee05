// The demo, driven in headless Chromium the way a person uses it: starts examples/demo/serve.mjs on a free
// port, clicks Train (a quick run from the page's query parameters), Stop, draws symbols with real mouse
// strokes (a vertical bar, a circle, a cross; a few jittered examples each), clicks Adapt, draws new
// instances and clicks Classify, checking the predicted class each time; on the way it downloads the
// trained checkpoint and loads it back through the file input, and drops PNG files on a class card and on
// the test pad. Controls that cannot act yet must not show. Saves a screenshot to
// test-artifacts/demo.png. Any page error, console error or failed request fails the run.
// Last line: `N passed, N failed` (test/shims/summary.mjs). Usage: node scripts/test-demo.mjs
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findChromium, launchChromium } from "../test/browser/chromium.mjs";
import { countsLine, exitUnavailable } from "../test/shims/summary.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = join(root, "test-artifacts");
/** Training long enough to stop by hand, stopped after STOP_AT iterations (small model: seconds). */
const QUERY = "iterations=1000&hidden=16&ways=10&shots=5&eval=5&backend=wasm";
const STOP_AT = 40;
const SYMBOLS = ["bar", "circle", "cross"];
const EXAMPLES_PER_CLASS = 3;

const chromium = findChromium();
if (!chromium) exitUnavailable(`no Chromium (looked for ${process.env.CHROME_PATH ?? "/usr/bin/chromium"}; install it with apt-get install chromium, or set CHROME_PATH)`);
if (!existsSync(join(root, "dist", "kshot.mjs"))) {
  console.error("dist/kshot.mjs is missing: run `npm run build` first");
  console.log(countsLine({ passed: 0, failed: 1 }));
  process.exit(1);
}
// The library's seeded generator draws the strokes' jitter (after the check above: dist must exist).
const { Rng } = await import("../dist/kshot.mjs");

// ---------------------------------------------------------------- symbols as strokes

/**
 * Strokes of a symbol in the unit square: centre (cx, cy), size s, each point nudged by `wobble`.
 * @returns {Array<Array<[number, number]>>}
 */
function symbolStrokes(kind, rand, { cx, cy, s }) {
  const j = () => (rand() - 0.5) * 0.04;
  const line = (x0, y0, x1, y1, n = 8) => Array.from({ length: n + 1 }, (_, i) => [x0 + ((x1 - x0) * i) / n + j() / 3, y0 + ((y1 - y0) * i) / n + j() / 3]);
  if (kind === "bar") return [line(cx + j(), cy - s / 2 + j(), cx + j(), cy + s / 2 + j())];
  if (kind === "cross") {
    return [line(cx - s / 2 + j(), cy - s / 2 + j(), cx + s / 2 + j(), cy + s / 2 + j()), line(cx + s / 2 + j(), cy - s / 2 + j(), cx - s / 2 + j(), cy + s / 2 + j())];
  }
  if (kind === "circle") {
    const r = s / 2;
    const start = rand() * Math.PI;
    const steps = 28;
    return [Array.from({ length: steps + 2 }, (_, i) => {
      const a = start + (i / steps) * 2 * Math.PI;
      return [cx + (r + j() / 2) * Math.cos(a), cy + (r + j() / 2) * Math.sin(a)];
    })];
  }
  throw new Error(`unknown symbol ${kind}`);
}

/** Draws strokes on the canvas `selector` with real mouse events, or touch events (a finger). */
async function draw(page, selector, strokes, { touch = false } = {}) {
  const box = await (await page.$(selector)).boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    const [x0, y0] = at(stroke[0]);
    if (touch) await page.touchscreen.touchStart(x0, y0);
    else {
      await page.mouse.move(x0, y0);
      await page.mouse.down();
    }
    for (const p of stroke.slice(1)) {
      const [x, y] = at(p);
      if (touch) await page.touchscreen.touchMove(x, y);
      else await page.mouse.move(x, y, { steps: 2 });
    }
    if (touch) await page.touchscreen.touchEnd();
    else await page.mouse.up();
  }
}

// ---------------------------------------------------------------- the run

const counts = { passed: 0, failed: 0 };
const problems = [];

async function check(name, fn) {
  const start = performance.now();
  try {
    await fn();
    counts.passed++;
    console.log(`  ✓ ${name} (${Math.round(performance.now() - start)} ms)`);
    return true;
  } catch (error) {
    counts.failed++;
    console.log(`  ✗ ${name}\n      ${String(error?.stack ?? error).split("\n").join("\n      ")}`);
    return false;
  }
}

function startServer() {
  const child = spawn(process.execPath, [join(root, "examples/demo/serve.mjs"), "--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`serve.mjs printed no URL in 10 s: ${output}`)), 10_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const url = /(http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        ok({ url, stop: () => child.kill() });
      }
    });
    child.on("exit", (code) => fail(new Error(`serve.mjs exited (${code}) before printing its URL: ${output}`)));
  });
}

/** Rejected at the first page error: waits race it, so a broken page fails at once, not at a timeout. */
let pageBroke;
const broken = new Promise((_, fail) => (pageBroke = fail));
broken.catch(() => undefined);
const waitFor = (page, fn, options, ...args) => Promise.race([page.waitForFunction(fn, options, ...args), broken]);

/** The status of GET `path` sent as it is (no client-side normalisation of "..", as browsers do). */
function rawStatus(origin, path) {
  return new Promise((ok, fail) => {
    const { hostname, port } = new URL(origin);
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      res.resume();
      ok(res.statusCode);
    });
    req.on("error", fail);
    req.end();
  });
}

const state = (page) => page.$eval("body", (b) => b.dataset.state);
const waitState = (page, wanted, timeout) =>
  waitFor(page, (w) => document.body.dataset.state === w, { timeout, polling: 100 }, wanted);
const text = (page, selector) => page.$eval(selector, (e) => e.textContent ?? "");

const started = performance.now();
console.log("demo (examples/demo) in Chromium");
const server = await startServer();
const { browser, close } = await launchChromium(chromium);
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900, hasTouch: true });
  page.on("pageerror", (error) => {
    problems.push(`page error: ${error.message}`);
    pageBroke(new Error(`page error: ${error.message}`));
  });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    problems.push(`console error: ${m.text()}`);
    pageBroke(new Error(`console error: ${m.text()}`));
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
  });
  // Workers' errors reach the page as messages; also watch their consoles.
  page.on("workercreated", (worker) => worker.on?.("console", (m) => m.type() === "error" && problems.push(`worker console error: ${m.text()}`)));

  await check("the server serves examples/demo/ and dist/ only", async () => {
    const origin = new URL(server.url).origin;
    const expectations = [
      ["/", 302], ["/examples/demo/", 200], ["/dist/kshot.mjs", 200], ["/package.json", 404],
      ["/examples/demo/../../package.json", 404], ["/dist/..%2fpackage.json", 404], ["/examples/demo/%2e%2e/%2e%2e/src/index.ts", 404],
    ];
    const wrong = [];
    for (const [path, status] of expectations) {
      const got = await rawStatus(origin, path);
      if (got !== status) wrong.push(`${path}: expected ${status}, got ${got}`);
    }
    if (wrong.length) throw new Error(wrong.join("; "));
  });

  const loaded = await check("serves the page, which starts a kshot backend", async () => {
    await page.goto(`${server.url}?${QUERY}`, { waitUntil: "load" });
    await waitFor(page, () => document.getElementById("backend-name")?.textContent !== "starting…", { timeout: 30_000 });
    const backend = await text(page, "#backend-name");
    if (backend !== "wasm") throw new Error(`expected the wasm backend (asked for by the query), the page shows ${JSON.stringify(backend)}`);
    if ((await state(page)) !== "idle") throw new Error(`expected data-state idle, got ${await state(page)}`);
    const shown = await page.$$eval("#download-checkpoint, #forget-model", (els) => els.filter((e) => getComputedStyle(e).display !== "none").map((e) => e.id));
    if (shown.length) throw new Error(`shown before any model exists: ${shown.join(", ")}`);
  });

  const trained = loaded && await check(`trains in a Worker with live progress; Stop after ${STOP_AT} iterations gives a usable model`, async () => {
    await page.click("#train");
    await waitState(page, "training", 5_000);
    // The page's own thread must stay free: the largest gap between timer ticks while training.
    const stall = page.evaluate(() => new Promise((ok) => {
      let last = performance.now();
      let worst = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 20);
      setTimeout(() => { clearInterval(tick); ok(worst); }, 3000);
    }));
    await waitFor(page, (n) => Number(/iteration (\d+)/.exec(document.getElementById("train-status").textContent)?.[1] ?? 0) >= n,
      { timeout: 120_000, polling: 200 }, STOP_AT);
    const worstGap = await stall;
    // A generous bound: on this shared machine timers drift, but a blocked page would stall for seconds.
    if (worstGap > 1000) throw new Error(`the page stalled for ${worstGap.toFixed(0)} ms while training`);
    await page.click("#stop");
    await waitState(page, "trained", 60_000);
    const status = await text(page, "#train-status");
    if (!/^Stopped after \d+ iterations/.test(status)) throw new Error(`unexpected status after Stop: ${status}`);
    const downloadable = await page.evaluate(() => document.getElementById("download-checkpoint").hidden === false);
    if (!downloadable) throw new Error("no checkpoint to download after training");
    console.log(`      ${status}`);
  });

  const reloaded = trained && await check("downloads the trained checkpoint and loads it back with Load checkpoint", async () => {
    const bytes = await page.evaluate(async () => {
      const response = await fetch(document.getElementById("download-checkpoint").href);
      return Array.from(new Uint8Array(await response.arrayBuffer()));
    });
    const file = join(mkdtempSync(join(tmpdir(), "kshot-demo-")), "demo-model.safetensors");
    writeFileSync(file, Uint8Array.from(bytes));
    try {
      await (await page.$("#load-checkpoint")).uploadFile(file);
      await waitFor(page, () => /demo-model\.safetensors/.test(document.getElementById("adapt-status").textContent), { timeout: 30_000, polling: 100 });
      if ((await state(page)) !== "trained") throw new Error(`expected data-state trained after loading, got ${await state(page)}`);
      const trainStatus = await text(page, "#train-status");
      if (!/demo-model\.safetensors/.test(trainStatus)) throw new Error(`the training status does not name the loaded model: ${trainStatus}`);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
    console.log(`      ${bytes.length} bytes; ${await text(page, "#adapt-status")}`);
  });

  const rng = new Rng(7); // the same jitter on every run
  const rand = () => rng.uniform();
  const adapted = reloaded && await check(`adapts on ${EXAMPLES_PER_CLASS} examples each of ${SYMBOLS.join(", ")} drawn with the mouse (and one by touch)`, async () => {
    for (const [i, kind] of SYMBOLS.entries()) {
      await page.$eval(`#class-name-${i}`, (e, name) => { e.value = name; e.dispatchEvent(new Event("input")); }, kind);
      for (let e = 0; e < EXAMPLES_PER_CLASS; e++) {
        const place = { cx: 0.5 + (rand() - 0.5) * 0.2, cy: 0.5 + (rand() - 0.5) * 0.2, s: 0.45 + rand() * 0.2 };
        // The last example of each class is drawn with a finger (pointer events of type "touch").
        await draw(page, `#pad-${i}`, symbolStrokes(kind, rand, place), { touch: e === EXAMPLES_PER_CLASS - 1 });
        await page.click(`#add-${i}`);
      }
      const count = await text(page, `#count-${i}`);
      if (count !== `${EXAMPLES_PER_CLASS} examples`) throw new Error(`class ${i} shows ${JSON.stringify(count)}`);
    }
    await page.click("#adapt");
    await waitState(page, "adapted", 30_000);
    const status = await text(page, "#adapt-status");
    if (!/in [\d.]+ ms/.test(status)) throw new Error(`no adaptation time shown: ${status}`);
    console.log(`      ${status}`);
    // Once more, warm (the first call also compiles the code paths): the time a person sees on re-adapting.
    await page.click("#adapt");
    await waitFor(page, () => document.getElementById("adapt-status").dataset.adaptations === "2", { timeout: 30_000, polling: 50 });
    console.log(`      again: ${await text(page, "#adapt-status")}`);
  });

  const classified = adapted && await check("classifies a new drawing of each symbol as that symbol", async () => {
    const wrong = [];
    // New places and sizes, unlike any example: the page frames drawings, so it should not matter.
    const places = [{ cx: 0.35, cy: 0.6, s: 0.4 }, { cx: 0.6, cy: 0.45, s: 0.7 }, { cx: 0.5, cy: 0.5, s: 0.55 }];
    // A stray stroke, undone: the pad is empty again, so Classify is off.
    await draw(page, "#test-pad", [[[0.2, 0.2], [0.3, 0.25]]]);
    if (await page.$eval("#classify", (b) => b.disabled)) throw new Error("a stroke on the test pad left Classify disabled");
    await page.click("#test-undo");
    if (!(await page.$eval("#classify", (b) => b.disabled))) throw new Error("Undo left the test pad with a stroke (Classify is enabled)");
    for (const [i, kind] of SYMBOLS.entries()) {
      await page.click("#test-clear"); // back to data-state "adapted" once something was classified
      await draw(page, "#test-pad", symbolStrokes(kind, rand, places[i]));
      await page.click("#classify");
      await waitState(page, "classified", 30_000);
      const predicted = await page.$eval("#prediction", (e) => Number(e.dataset.class));
      const bars = await page.$$eval("#probabilities li", (items) => items.map((li) => `${li.querySelector(".bar-label").textContent} ${li.dataset.probability}`));
      console.log(`      drew a ${kind}: ${bars.join(", ")}`);
      if (predicted !== i) wrong.push(`a ${kind} was classified as ${SYMBOLS[predicted]}`);
    }
    // Two frames, so the capture shows the painted result (a capture right after the DOM change may not).
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "demo.png"), fullPage: true });
    if (wrong.length) throw new Error(wrong.join("; "));
  });

  classified && await check("PNG files dropped on a class card become examples; one dropped on the test pad is classified", async () => {
    /** Drops a PNG of a dark vertical bar on white paper (made in the page, as a File) on `selector`. */
    const dropBar = (selector) => page.$eval(selector, async (target) => {
      const canvas = new OffscreenCanvas(100, 100);
      const c = canvas.getContext("2d");
      c.fillStyle = "#fff";
      c.fillRect(0, 0, 100, 100);
      c.fillStyle = "#000";
      c.fillRect(45, 20, 10, 60);
      const file = new File([await canvas.convertToBlob({ type: "image/png" })], "bar.png", { type: "image/png" });
      const dataTransfer = new DataTransfer();
      dataTransfer.items.add(file);
      target.dispatchEvent(new DragEvent("drop", { dataTransfer, bubbles: true, cancelable: true }));
    });
    const before = await text(page, "#count-0");
    await dropBar("#pad-0");
    await waitFor(page, (b) => document.getElementById("count-0").textContent !== b, { timeout: 10_000, polling: 50 }, before);
    console.log(`      class 0: ${before} → ${await text(page, "#count-0")}`);
    await page.click("#test-clear");
    await waitState(page, "adapted", 10_000);
    await dropBar("#test-pad");
    await waitState(page, "classified", 30_000);
    console.log(`      a dropped bar.png: ${await text(page, "#prediction")}`);
  });

  classified && await check("a reload restores the last model from this browser's storage", async () => {
    await page.reload({ waitUntil: "load" });
    await waitState(page, "trained", 30_000);
    const status = await text(page, "#adapt-status");
    if (!/kept from your last visit/.test(status)) throw new Error(`unexpected status after reload: ${status}`);
    console.log(`      ${status}`);
  });

  await check("no page errors, console errors or failed requests", async () => {
    if (problems.length) throw new Error(problems.join("\n"));
  });
} finally {
  await close();
  server.stop();
}

console.log(`demo: ${counts.passed} passed, ${counts.failed} failed in ${((performance.now() - started) / 1000).toFixed(1)} s` +
  (existsSync(join(artifacts, "demo.png")) ? "; screenshot test-artifacts/demo.png" : ""));
console.log(countsLine(counts));
process.exit(counts.failed > 0 ? 1 : 0);
