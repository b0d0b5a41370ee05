// Runs the edge-adaptation measurement in headless Chromium: page.html (dist/kshot.js by a script tag)
// served by the test server (test/browser/server.mjs) with the work directory at /@shared/, launched as
// the browser tests launch it (test/browser/chromium.mjs).
import { findChromium, launchChromium } from "../../test/browser/chromium.mjs";
import { startTestServer } from "../../test/browser/server.mjs";

/** The page's result object, or throws with the page's error. */
export async function runInChromium(root, workDir, timeoutMs = 120_000) {
  const executable = findChromium();
  if (!executable) throw new Error("no Chromium (set CHROME_PATH or apt-get install chromium)");
  const server = await startTestServer({ root, sharedDir: workDir, bundles: new Map() });
  const chromium = await launchChromium(executable);
  try {
    const page = await chromium.browser.newPage();
    await page.goto(`${server.origin}/bench/edge-adapt/page.html`);
    await page.waitForFunction(() => window.__edgeResult || window.__edgeError, { timeout: timeoutMs, polling: 200 });
    const { result, error } = await page.evaluate(() => ({ result: window.__edgeResult, error: window.__edgeError }));
    if (error) throw new Error(`in Chromium: ${error}`);
    return result;
  } finally {
    await chromium.close();
    await server.close();
  }
}
