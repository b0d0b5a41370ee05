// Type declarations for dist/types: tsc's output (checked to import no npm: package), plus opaque stand-ins for the few WebGPU types they name,
// so that a project compiles them (skipLibCheck false) without @webgpu/types; where a project has
// @webgpu/types, its full interfaces merge with the stand-ins.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function declarationFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? declarationFiles(path) : path.endsWith(".d.ts") ? [path] : [];
  });
}

/** The WebGPU names the declarations use, checked to be interfaces (a type alias cannot be stood in for). */
function webgpuNames(root, files) {
  const webgpu = readFileSync(join(root, "node_modules", "@webgpu", "types", "dist", "index.d.ts"), "utf8");
  const interfaces = new Set([...webgpu.matchAll(/^interface (GPU\w*)/gm)].map((m) => m[1]));
  const aliases = new Set([...webgpu.matchAll(/^type (GPU\w*)/gm)].map((m) => m[1]));
  const used = new Set(files.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\bGPU\w*/g)].map((m) => m[0])));
  const badAliases = [...used].filter((n) => aliases.has(n));
  if (badAliases.length) throw new Error(`declarations: ${badAliases.join(", ")} are WebGPU type aliases; keep them out of the public types (write the underlying type)`);
  return [...used].filter((n) => interfaces.has(n)).sort();
}

/** A consumer cannot resolve src/'s `npm:` specifiers: the public types must not import them. */
function checkNoNpmImports(out, files) {
  const bad = files.filter((f) => /from "npm:/.test(readFileSync(f, "utf8"))).map((f) => f.slice(out.length + 1));
  if (bad.length) throw new Error(`declarations: ${bad.join(", ")} import an npm: package's types; declare the types kshot needs instead`);
}

export function declarations(root, bin) {
  const out = join(root, "dist", "types");
  rmSync(out, { recursive: true, force: true }); // no declarations of since-removed sources
  execFileSync(bin("tsc"), ["-p", "tsconfig.json", "--noEmit", "false", "--declaration", "--emitDeclarationOnly", "--outDir", "dist/types"], { cwd: root, stdio: "inherit" });
  checkNoNpmImports(out, declarationFiles(out));
  const names = webgpuNames(root, declarationFiles(out));
  writeFileSync(join(out, "webgpu.d.ts"), "/** Opaque stand-ins for the WebGPU types kshot's declarations name (full ones come with @webgpu/types). */\n" +
    `declare global {\n${names.map((n) => `  interface ${n} {}\n`).join("")}}\nexport {};\n`);
  const index = join(out, "index.d.ts");
  writeFileSync(index, `/// <reference path="./webgpu.d.ts" />\n${readFileSync(index, "utf8")}`);
}
