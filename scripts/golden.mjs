// `npm run test:golden`: bundles test/golden/main.ts for Node (esbuild) and runs it. See that file.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Bundle inside node_modules/.cache so that the bundle resolves external packages (webgpu) from here.
const cache = join(root, "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, "kshot-golden-"));
const out = join(dir, "golden.mjs");
try {
  await esbuild.build({
    entryPoints: [join(root, "test/golden/main.ts")], bundle: true, format: "esm", platform: "node",
    outfile: out, logLevel: "warning", external: ["webgpu"],
  });
  const { main } = await import(pathToFileURL(out).href);
  process.exitCode = await main(root);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
