// Runs the build when dist/ is missing or older than any source (src/, assembly/, shaders/, build scripts).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", ".build-stamp");

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) {
    if (name === "generated") continue;
    t = Math.max(t, newest(join(path, name)));
  }
  return t;
}

const sources = ["src", "assembly", "shaders", "scripts/build.mjs", "scripts/gen-ops.mjs", "scripts/wasm-pack.mjs", "scripts/bundle-sizes.mjs", "scripts/declarations.mjs", "scripts/third-party-licenses.mjs", "asconfig.json", "package.json", "tsconfig.json"];
const outputs = [stamp, "src/generated/wasm.ts", "src/generated/shaders.ts", "dist/kshot.js", "dist/kshot.mjs", "dist/cli.mjs"];
const built = outputs.every((p) => existsSync(resolve(root, p))) ? statSync(stamp).mtimeMs : -1;
if (sources.some((s) => newest(join(root, s)) > built)) {
  console.error("kshot: building (sources changed since the last build)…");
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
}
