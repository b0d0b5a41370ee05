// examples/script-tag.html in headless Chromium: one <script> tag (dist/kshot.js), no build step; the page
// trains a small ProtoNet, adapts from five canvases and writes its JSON summary into #result.
// Also: the page requests no script or wasm but dist/kshot.js (the wasm and the worker source are inlined), and `kshot` is the only
// global that script adds (globals snapshotted before the page's first script, diffed at kshot.js's load event).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findChromium, launchChromium } from "../browser/chromium.mjs";
import { startTestServer } from "../browser/server.mjs";
import { ensureBuild, ROOT } from "./run-example.ts";

/** Runs in the page before any of its scripts: remembers the globals and diffs them once kshot.js has run. */
function watchGlobals(): void {
  let added: string[] | null = null;
  Object.defineProperty(window, "__kshotAddedGlobals", { get: () => added, enumerable: false, configurable: true });
  const before = new Set(Object.getOwnPropertyNames(window));
  // A classic script's load event fires right after it ran, before the parser runs the next script. Load
  // events do not propagate from the document to the window, so listen on the document (capture phase).
  document.addEventListener("load", (event) => {
    const el = event.target as HTMLScriptElement | null;
    if (el?.tagName === "SCRIPT" && /kshot\.js$/.test(el.src) && added === null) {
      added = Object.getOwnPropertyNames(window).filter((name) => !before.has(name));
    }
  }, true);
}

describe("examples/script-tag.html", () => {
  it("adapts from five canvases and classifies twenty new drawings in Chromium", { timeout: 300_000 }, async (ctx) => {
    const chromium = findChromium();
    if (!chromium) {
      if (process.env.CI) throw new Error("no Chromium (set CHROME_PATH)");
      return ctx.skip("runtime unavailable: no Chromium");
    }
    await ensureBuild();
    const server = await startTestServer({ root: ROOT, sharedDir: join(ROOT, "..", "shared"), bundles: new Map() });
    const { browser, close } = await launchChromium(chromium);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => void errors.push(String(e)));
      const code: string[] = [];
      page.on("request", (r) => {
        // blob: URLs are made in the page (the wasm threads' worker source, inlined in kshot.js), not fetched.
        if (r.url().startsWith("blob:")) return;
        if (r.resourceType() === "script" || /\.m?js$|\.wasm$/.test(new URL(r.url()).pathname)) code.push(new URL(r.url()).pathname);
      });
      await page.evaluateOnNewDocument(watchGlobals);
      await page.goto(`${server.origin}/examples/script-tag.html`);
      await page.waitForFunction(() => document.getElementById("result")!.textContent !== "", { timeout: 240_000 });
      const summary = JSON.parse(await page.$eval("#result", (e) => e.textContent!)) as Record<string, unknown>;
      const artifacts = join(ROOT, "test-artifacts");
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "script-tag.png"), fullPage: true });
      expect(errors).toEqual([]);
      expect(summary.error).toBeUndefined();
      expect(summary).toMatchObject({ algorithm: "protonet", ways: 5, shots: 1 });
      expect(summary.accuracy as number).toBeGreaterThan(0.5);
      for (const row of summary.probabilities as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const scripts = await page.$$eval("script[src]", (els) => els.map((e) => new URL((e as HTMLScriptElement).src).pathname));
      expect(scripts).toEqual(["/dist/kshot.js"]);
      expect(code).toEqual(["/dist/kshot.js"]);
      const added = await page.evaluate(() => (window as unknown as { __kshotAddedGlobals: string[] | null }).__kshotAddedGlobals);
      expect(added).toEqual(["kshot"]);
    } finally {
      await close();
      await server.close();
    }
  });
});
