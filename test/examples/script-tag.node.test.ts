// examples/script-tag.html in headless Chromium: one <script> tag (dist/kshot.js), no build step; the page
// trains a small ProtoNet, adapts from five canvases and writes its JSON summary into #result.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findChromium, launchChromium } from "../browser/chromium.mjs";
import { startTestServer } from "../browser/server.mjs";
import { ensureBuild, ROOT } from "./run-example.ts";

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
      const globals = await page.evaluate(() => Object.keys(window).filter((k) => k === "kshot"));
      expect(globals).toEqual(["kshot"]);
    } finally {
      await close();
      await server.close();
    }
  });
});
