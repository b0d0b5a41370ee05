import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** `npm:NAME@VERSION` specifiers imported by src/ (so that Deno finds them from anywhere). */
function npmSpecifiers(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources(join(root, "src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/from "(npm:((?:@[^/@"]+\/)?[^/@"]+)@([^/"]+))"/g)) found.set(m[1]!, `${m[2]}@${m[3]}`);
  }
  return found;
}

describe("src/'s npm: specifiers", () => {
  // tsconfig.json's paths serve tsc, esbuild and Deno (which applies them to src/): each maps to a module
  // path without extension, where tsc finds NAME.d.ts and esbuild NAME.js (Deno fails on a folder).
  it("name the versions package.json installs, and tsconfig.json maps each to a module with types", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const installed = { ...pkg.dependencies, ...pkg.devDependencies } as Record<string, string>;
    const paths = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).compilerOptions.paths as Record<string, string[]>;
    const specifiers = npmSpecifiers();
    expect(specifiers.size).toBeGreaterThan(0);
    for (const [specifier, nameAtVersion] of specifiers) {
      const at = nameAtVersion.lastIndexOf("@");
      expect(`${nameAtVersion.slice(0, at)}@${installed[nameAtVersion.slice(0, at)]}`, specifier).toBe(nameAtVersion);
      const [target] = paths[specifier] ?? [];
      expect(target, `${specifier} in tsconfig.json's paths`).toBeDefined();
      for (const ext of [".js", ".d.ts"]) expect(existsSync(join(root, target! + ext)), `${target}${ext}`).toBe(true);
    }
  });
});
