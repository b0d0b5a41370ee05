// The sizes of the bundles in dist/ (bytes, and gzipped at level 9 as a server or CDN would send them)
// and the budget of the `<script>` bundle. `npm run build` prints them; test/infra/bundle-size.node.test.ts
// fails above budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export const BUNDLES = ["dist/kshot.js", "dist/kshot.mjs", "dist/cli.mjs"];

/** Gzipped bytes the `<script>` bundle may take (160 KB). */
export const SCRIPT_BUDGET = { file: "dist/kshot.js", gzipBytes: 160_000 };

/** `[{ file, bytes, gzipBytes }]` for each bundle under `root`. */
export function bundleSizes(root) {
  return BUNDLES.map((file) => {
    const bytes = readFileSync(join(root, file));
    return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

/** The report the build prints: one line per bundle, the budget beside the `<script>` one. */
export function sizeReport(root) {
  return bundleSizes(root).map(({ file, bytes, gzipBytes }) => {
    const budget = file === SCRIPT_BUDGET.file ? ` (budget ${kb(SCRIPT_BUDGET.gzipBytes)})` : "";
    return `${file.padEnd(16)} ${kb(bytes).padStart(10)}, ${kb(gzipBytes).padStart(9)} gzipped${budget}`;
  }).join("\n");
}
