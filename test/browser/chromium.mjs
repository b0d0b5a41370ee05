// Finding and launching headless Chromium for the tests, with the flags PLATFORM.md found to work here.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** CHROME_PATH when set (it must exist), else the first Chromium installed in the usual places. */
export function findChromium() {
  if (process.env.CHROME_PATH) return existsSync(process.env.CHROME_PATH) ? process.env.CHROME_PATH : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export function chromiumArgs(userDataDir) {
  return [
    "--no-sandbox", // root in containers has no user namespace sandbox
    "--disable-quic",
    "--no-first-run",
    // Without these Chromium keeps dialing out, and floods a closed network with refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    `--user-data-dir=${userDataDir}`,
    "--enable-unsafe-webgpu",
  ];
}

/** Launches Chromium with a fresh profile; `close()` also removes the profile. */
export async function launchChromium(executablePath) {
  const { default: puppeteer } = await import("puppeteer-core");
  const profile = mkdtempSync(join(tmpdir(), "kshot-chromium-"));
  const browser = await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs(profile), protocolTimeout: 600_000 });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
