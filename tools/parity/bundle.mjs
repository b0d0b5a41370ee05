// Bundles tools/parity/export-episodes.ts (it imports kshot's sources and CLI modules) into one ES module.
import { join } from "node:path";

export async function bundleExporter(root, outDir) {
  const esbuild = await import("esbuild");
  const outfile = join(outDir, "export-episodes.mjs");
  await esbuild.build({ entryPoints: [join(root, "tools/parity/export-episodes.ts")], bundle: true, format: "esm", platform: "node", outfile, logLevel: "warning" });
  return outfile;
}
