/**
 * Reading files of the repository the same way in every runtime: from the file system in Node and Deno,
 * over HTTP in the browser, where test-browser.mjs serves the repository at `/`.
 */
import { readFileBytes } from "../../src/io/files.ts";
import { currentRuntime } from "../../src/io/files-host.ts";

/** The bytes of a file given relative to the repository root. */
export async function readRepoBytes(relPath: string): Promise<Uint8Array> {
  if (currentRuntime() !== "browser") return readFileBytes(decodeURIComponent(new URL(`../../${relPath}`, import.meta.url).pathname));
  const response = await fetch(new URL(`/${relPath}`, location.href));
  if (!response.ok) throw new Error(`cannot read ${relPath}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}
