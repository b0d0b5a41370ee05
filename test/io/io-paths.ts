/** Paths and scratch folders for the io tests, computed from this file's URL so Node and Deno agree. */
import { currentRuntime } from "../../src/io/files-host.ts";
import { makeDirectory } from "../../src/io/files.ts";

/** False in a browser, where the file tests skip themselves. */
export const hasFileSystem = currentRuntime() !== "browser";

/** An absolute path from a path relative to the repository root. */
export function repoPath(relative: string): string {
  return decodeURIComponent(new URL(`../../${relative}`, import.meta.url).pathname);
}

/** The PyTorch golden cases in the repository (made by tools/golden/generate.py). */
export function torchFixturesDirectory(): string {
  return repoPath("test/golden/cases");
}

/** A fresh, empty folder under test-artifacts/ (gitignored). */
export async function scratchDirectory(label: string): Promise<string> {
  const id = Array.from(crypto.getRandomValues(new Uint32Array(2)), (w) => w.toString(16)).join("");
  const dir = repoPath(`test-artifacts/io-${label}-${id}`);
  await makeDirectory(dir);
  return dir;
}
