// kshot as its users get it, outside the repository: `npm pack`, the tarball installed offline into an
// empty project, then Node (ESM import, training, Learner round trip, `npx kshot`), TypeScript (the
// declarations with skipLibCheck false and no @webgpu/types), Deno (the installed package, and src/index.ts
// imported by path from another folder), Chromium (the IIFE from file:// and from a static server,
// Learner.load by relative URL); plus `deno publish --dry-run` and the committed src/generated/ being
// current. Prints one line per check and, last, `N passed, N failed`. Run after the build (npm test does).
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { findChromium, launchChromium } from "../test/browser/chromium.mjs";
import { countsLine, isCI } from "../test/shims/summary.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "test", "consumer");
const deno = process.env.DENO_PATH || join(root, "node_modules", ".bin", "deno");
const work = mkdtempSync(join(tmpdir(), "kshot-consumer-"));
const project = join(work, "project");
const run = promisify(execFile);

/** Runs a command; resolves with its stdout, rejects with its output when it exits non-zero. */
async function sh(command, args, options = {}) {
  try {
    const { stdout } = await run(command, args, { cwd: project, maxBuffer: 64 << 20, timeout: 240_000, ...options, env: { ...process.env, ...options.env } });
    return stdout;
  } catch (err) {
    throw new Error(`${command} ${args.join(" ")} failed (${err.code ?? err.signal}):\n${err.stdout ?? ""}${err.stderr ?? ""}`.trimEnd());
  }
}

function expectMatch(text, pattern, what) {
  if (!pattern.test(text)) throw new Error(`${what}: expected ${pattern}, got:\n${text}`);
  return text;
}

async function pack() {
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "kshot-consumer", private: true, type: "module" }));
  const json = JSON.parse(await sh("npm", ["pack", "--json", "--pack-destination", work], { cwd: root }));
  const tarball = join(work, json[0].filename);
  // Offline: the package has no dependencies, so nothing is fetched.
  await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball]);
  const installed = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")).packages;
  const extra = Object.keys(installed).filter((p) => p.startsWith("node_modules/") && p !== "node_modules/kshot");
  if (extra.length) throw new Error(`installing kshot brought other packages: ${extra.join(", ")}`);
  for (const file of ["LICENSE", "CHANGELOG.md", "README.md", "dist/kshot.js", "dist/kshot.mjs", "dist/cli.mjs", "dist/types/index.d.ts", "dist/THIRD-PARTY-LICENSES.md"]) {
    if (!existsSync(join(project, "node_modules", "kshot", file))) throw new Error(`the package lacks ${file}`);
  }
  for (const f of ["node-consumer.mjs", "types-consumer.ts", "page.html"]) copyFileSync(join(fixtures, f), join(project, f));
  const { encode } = await import("fast-png");
  writeFileSync(join(project, "glyph.png"), encode({ width: 28, height: 28, data: new Uint8Array(28 * 28).fill(200), channels: 1, depth: 8 }));
  return `${json[0].filename}: ${(json[0].size / 1000).toFixed(0)} KB packed, ${json[0].entryCount} files, no dependencies`;
}

const CHECKS = [
  ["npm pack, installed offline into an empty project", pack],
  ["Node: import, train, Learner save/load round trip", async () => expectMatch(await sh(process.execPath, ["node-consumer.mjs"]), /^ok /m, "node-consumer.mjs").trim()],
  ["npx kshot info", async () => expectMatch(await sh("npx", ["--no-install", "kshot", "info"]), /^kshot \d+\.\d+\.\d+/m, "kshot info").split("\n")[0]],
  ["npx kshot train, then eval, on glyphs", async () => {
    await sh("npx", ["--no-install", "kshot", "train", "--dataset", "glyphs", "--iterations", "2", "--hidden", "8", "--backend", "wasm", "--out", "glyphs.safetensors"]);
    const out = await sh("npx", ["--no-install", "kshot", "eval", "--model", "glyphs.safetensors", "--episodes", "5", "--backend", "wasm"]);
    return expectMatch(out, /accuracy|%/i, "kshot eval").trim().split("\n").at(-1);
  }],
  ["npx kshot bench says it runs from a clone", async () => {
    const failed = await sh("npx", ["--no-install", "kshot", "bench"]).then(() => undefined, (err) => err.message);
    return expectMatch(failed ?? "(exit 0)", /clone of the source repository/, "kshot bench").split("\n").find((l) => /clone/.test(l));
  }],
  ...["nodenext", "bundler"].map((resolution) => [`TypeScript (${resolution}, skipLibCheck false) compiles against the declarations`, async () => {
    const module = resolution === "nodenext" ? "nodenext" : "esnext";
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: "es2022", module, moduleResolution: resolution, types: [], lib: ["es2022", "dom"] },
      files: ["types-consumer.ts"],
    }));
    await sh(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
  }]),
  ["Deno: the installed package", async () => expectMatch(await sh(deno, ["run", "-A", "node-consumer.mjs"]), /^ok /m, "deno run").trim()],
  ["Deno: src/index.ts imported by path from a folder outside the repository", async () => {
    const outside = join(work, "deno-outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "main.ts"), `import * as ks from ${JSON.stringify(pathToFileURL(join(root, "src", "index.ts")).href)};\n` +
      "await ks.init({ backend: \"wasm\" });\nconsole.log(`ok ${Array.from(await ks.sum(ks.tensor([1, 2, 3])).data())}`);\n");
    return expectMatch(await sh(deno, ["run", "-A", "main.ts"], { cwd: outside }), /^ok 6$/m, "deno run").trim();
  }],
  ["deno publish --dry-run", async () => {
    await sh(deno, ["publish", "--dry-run", "--allow-dirty"], { cwd: root });
    return "dry run complete";
  }],
  ["Chromium: the IIFE from file:// and from a static server, Learner.load by relative URL", chromium],
  ["src/generated/ is committed as the build writes it", async () => {
    const status = await sh("git", ["status", "--porcelain", "--", "src/generated"], { cwd: root }).catch(() => undefined);
    if (status === undefined) return { skipped: "not a git checkout" };
    if (status.trim()) throw new Error(`src/generated/ differs from the committed files (commit the build's output):\n${status}`);
  }],
];

const MIME = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json", ".safetensors": "application/octet-stream" };

async function chromium() {
  const executable = findChromium();
  if (!executable) return { skipped: "no Chromium (set CHROME_PATH)" };
  copyFileSync(join(project, "node_modules", "kshot", "dist", "kshot.js"), join(project, "kshot.js"));
  copyFileSync(join(project, "glyphs.safetensors"), join(project, "model.safetensors"));
  const server = createServer((req, res) => {
    const path = join(project, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(project) || !existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": MIME[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { browser, close } = await launchChromium(executable);
  try {
    const title = async (url) => {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => document.title !== "pending", { timeout: 60_000 });
      return page.title();
    };
    const fromFile = expectMatch(await title(pathToFileURL(join(project, "page.html")).href), /^ok .*"sum":\[6\].*serve the folder over http/, "page from file://");
    const served = expectMatch(await title(`http://127.0.0.1:${server.address().port}/page.html`), /^ok .*"sum":\[6\].*"learner":"protonet"/, "page over http");
    return `${fromFile.slice(0, 60)}…; ${served}`;
  } finally {
    await close();
    server.close();
  }
}

let passed = 0;
let failed = 0;
try {
  for (const [name, check] of CHECKS) {
    const start = performance.now();
    try {
      const result = await check();
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      if (result?.skipped) {
        if (isCI()) throw new Error(`${result.skipped} (CI=true: a missing runtime is a failure)`);
        console.log(`- ${name}: skipped, ${result.skipped}`);
        continue;
      }
      passed++;
      console.log(`✓ ${name} (${seconds} s)${result ? `: ${result}` : ""}`);
    } catch (err) {
      failed++;
      console.log(`✗ ${name}\n${String(err?.message ?? err).replace(/^/gm, "    ")}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(countsLine({ passed, failed }));
process.exit(failed > 0 ? 1 : 0);
