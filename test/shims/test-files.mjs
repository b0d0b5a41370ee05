// Which test files each runtime runs. Convention: `*.node.test.ts` runs only in Node (vitest); every other
// `test/**/*.test.ts` runs in Node, Deno and Chromium.
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

export const NODE_ONLY_SUFFIX = ".node.test.ts";

export function isNodeOnly(path) {
  return path.endsWith(NODE_ONLY_SUFFIX);
}

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/**
 * Test files for Deno and the browser, relative to `root` with "/" separators, sorted. `filters` (command
 * line arguments) keep the files whose path contains any of them, as `vitest run <filter>` does.
 */
export function portableTestFiles(root, filters = []) {
  return walk(join(root, "test"), [])
    .map((p) => relative(root, p).split(sep).join("/"))
    .filter((p) => !isNodeOnly(p))
    .filter((p) => filters.length === 0 || filters.some((f) => p.includes(f.replace(/^\.\//, ""))))
    .sort();
}
