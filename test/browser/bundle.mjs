// Bundles test files for the test page with esbuild: one entry per test file (setup, the file, then its
// run), shared chunks between them, "vitest" → the shim, and src/index.ts → the page's global `kshot`,
// so the tests exercise the real <script> bundle rather than a second copy of the library.
import { existsSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";

const ENTRY = "kshot-test-entry:";

/** What an import of src/index.ts becomes in the page. */
const GLOBAL_KSHOT = `
const kshot = globalThis.kshot;
if (kshot === undefined) {
  throw new Error("the global \`kshot\` is missing: dist/kshot.js did not load (run npm run build)");
}
module.exports = kshot;
`;

function entrySource(root, file) {
  const lines = [`import { runPage } from ${JSON.stringify(join(root, "test/browser/page-runner.ts"))};`];
  const setup = join(root, "test/setup.ts");
  if (existsSync(setup)) lines.push(`import ${JSON.stringify(setup)};`);
  lines.push(`import ${JSON.stringify(join(root, file))};`, "await runPage();");
  return lines.join("\n");
}

export function kshotTestPlugin(root) {
  const index = join(root, "src", "index.ts");
  return {
    name: "kshot-test",
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${ENTRY}`) }, (args) => ({ path: args.path.slice(ENTRY.length), namespace: "kshot-entry" }));
      build.onLoad({ filter: /.*/, namespace: "kshot-entry" }, (args) => ({ contents: entrySource(root, args.path), resolveDir: root, loader: "js" }));
      build.onResolve({ filter: /^vitest$/ }, () => ({ path: join(root, "test", "shims", "vitest.ts") }));
      build.onResolve({ filter: /(^|[/\\])index\.ts$/ }, (args) => {
        if (!args.resolveDir || resolve(args.resolveDir, args.path) !== index) return undefined;
        return { path: "kshot", namespace: "kshot-global" };
      });
      build.onLoad({ filter: /.*/, namespace: "kshot-global" }, () => ({ contents: GLOBAL_KSHOT, loader: "js" }));
    },
  };
}

/** The URL path (under /@bundle/) of a test file's entry. */
export function entryUrlPath(file) {
  return `${file.replace(/\.ts$/, "")}.js`;
}

async function build(root, files, outdir) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: files.map((f) => ({ in: `${ENTRY}${f}`, out: f.replace(/\.ts$/, "") })),
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked", // for stack traces (source-maps.mjs) and DevTools
    sourcesContent: false,
    // A Node-only import (often behind a runtime check) fails when, and only if, the page loads that
    // module, rather than failing the whole bundle.
    external: ["node:*", ...builtinModules],
    write: false,
    metafile: true,
    logLevel: "silent",
    // package.json's `sideEffects` (for users' bundlers) would let esbuild drop the entry's side-effect
    // imports of test/setup.ts and the test file itself: every page would run no test.
    ignoreAnnotations: true,
    plugins: [kshotTestPlugin(root)],
  });
  return result;
}

/** Modules that hold the library's state (the active backend): the page must have exactly one, kshot's. */
export const STATE_MODULES = ["src/engine.ts"];

/**
 * For each test file that bundles its own copy of a state module, a warning naming the src modules it
 * imported directly (not through src/index.ts) that pulled the copy in. In the page such a copy has no
 * backend (setup initialised the global kshot's), so the tests using it fail in Chromium only.
 */
export function stateCopyWarnings(metafile, files) {
  const graph = metafile.inputs;
  const reaches = (start, target) => {
    const seen = new Set([start]);
    for (const path of seen) for (const i of graph[path]?.imports ?? []) if (!i.external) seen.add(i.path);
    return seen.has(target);
  };
  const warnings = new Map();
  for (const file of files) {
    for (const state of STATE_MODULES) {
      if (!reaches(file, state)) continue;
      const testModules = new Set([file]);
      for (const path of testModules) for (const i of graph[path]?.imports ?? []) if (i.path.startsWith("test/")) testModules.add(i.path);
      const culprits = new Set();
      for (const path of testModules) {
        for (const i of graph[path]?.imports ?? []) if (i.path.startsWith("src/") && reaches(i.path, state)) culprits.add(i.path);
      }
      warnings.set(file, `bundles a second copy of ${state} through ${[...culprits].join(", ")}, imported directly: ` +
        "in the page that copy has no backend; import stateful code through src/index.ts");
    }
  }
  return warnings;
}

function messageOf(error) {
  const errors = error?.errors ?? [];
  if (errors.length === 0) return String(error?.message ?? error);
  return errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`).join("\n");
}

/**
 * Bundles `files` (paths relative to `root`). Returns the served files by URL path below /@bundle/,
 * each test file's entry URL path, the files that could not be bundled with the reason, warnings per
 * file (stateCopyWarnings), and the (never written) output folder the source maps are relative to. When the
 * joint build fails, each file is built alone so one broken file does not take the others down.
 */
export async function bundleTests(root, files) {
  const outdir = join(root, "test-artifacts", "browser-bundle");
  const served = new Map();
  const entries = new Map();
  const failures = new Map();
  const warnings = new Map();
  const keep = (result, dir, prefix, built) => {
    for (const out of result.outputFiles) served.set(`${prefix}${relative(dir, out.path).split("\\").join("/")}`, out.contents);
    for (const [file, warning] of stateCopyWarnings(result.metafile, built)) warnings.set(file, warning);
  };
  try {
    keep(await build(root, files, outdir), outdir, "", files);
    for (const f of files) entries.set(f, entryUrlPath(f));
  } catch {
    await Promise.all(files.map(async (f, i) => {
      const dir = join(outdir, `alone-${i}`);
      try {
        keep(await build(root, [f], dir), dir, `alone-${i}/`, [f]);
        entries.set(f, `alone-${i}/${entryUrlPath(f)}`);
      } catch (error) {
        failures.set(f, messageOf(error));
      }
    }));
  }
  return { served, entries, failures, warnings, outdir };
}
