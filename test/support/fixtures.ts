/**
 * Reading the project's shared fixtures (`../shared`, or `KSHOT_SHARED`) the same way in every runtime:
 * from the file system in Node and Deno (through src/io/files.ts), over HTTP in the browser, where
 * test-browser.mjs serves the shared folder under `/@shared/`.
 */
import { fileExists, readFileBytes } from "../../src/io/files.ts";
import { currentRuntime } from "../../src/io/files-host.ts";
import { getEnv } from "../shims/env.ts";

/** Where test-browser.mjs serves the shared folder. */
export const SHARED_URL_PREFIX = "/@shared";

function fileUrlToPath(url: URL): string {
  return decodeURIComponent(url.pathname).replace(/\/$/, "");
}

/** The shared folder: an absolute path in Node and Deno, a URL (no trailing slash) in the browser. */
export function sharedDir(): string {
  if (currentRuntime() === "browser") return new URL(SHARED_URL_PREFIX, location.href).href;
  const repoRoot = new URL("../../", import.meta.url);
  const configured = getEnv("KSHOT_SHARED");
  // Relative settings are relative to the project root, like KSHOT_FIXTURES for the golden suite.
  const dir = configured ? new URL(configured.replace(/\/?$/, "/"), repoRoot) : new URL("../shared/", repoRoot);
  return fileUrlToPath(dir);
}

/** The path (Node, Deno) or URL (browser) of a file given relative to the shared folder. */
export function fixturePath(relPath: string): string {
  if (currentRuntime() !== "browser") return `${sharedDir()}/${relPath}`;
  return `${sharedDir()}/${relPath.split("/").map(encodeURIComponent).join("/")}`;
}

export async function readFixtureBytes(relPath: string): Promise<Uint8Array> {
  if (currentRuntime() !== "browser") return readFileBytes(fixturePath(relPath));
  const response = await fetch(fixturePath(relPath));
  if (!response.ok) throw new Error(`cannot read fixture ${relPath}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function readFixtureText(relPath: string): Promise<string> {
  return new TextDecoder("utf-8", { fatal: true }).decode(await readFixtureBytes(relPath));
}

/** Whether the file exists, so tests that need optional data can skip (outside CI) when it is absent. */
export async function fixtureExists(relPath: string): Promise<boolean> {
  if (currentRuntime() !== "browser") return fileExists(fixturePath(relPath));
  const response = await fetch(fixturePath(relPath), { method: "HEAD" });
  return response.ok;
}
