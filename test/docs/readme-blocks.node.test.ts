// Every fenced code block of README.md and examples/README.md runs as written, the way a user pastes it
// into a project of their own: `js`/`ts` blocks as ES modules importing "kshot" (the built package,
// installed by a link in a temporary folder outside the repository), `sh` blocks in bash with the
// package's `kshot` command on PATH. A file's blocks run in order in one folder, so a later block may use
// what an earlier one wrote (a checkpoint). A block preceded by `<!-- test: skip (why) -->` is not run;
// keep those few. `text` blocks are not code.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, ROOT } from "../examples/run-example.ts";
import { type CodeBlock, codeBlocks } from "./markdown.ts";

const FILES = ["README.md", "examples/README.md"];
const MODULE_LANGS = new Set(["js", "mjs", "javascript", "ts", "typescript"]);
const SHELL_LANGS = new Set(["sh", "bash", "shell"]);
const BLOCK_TIMEOUT_MS = 280_000;

/** An empty project with kshot installed as a link to this repository, and its `kshot` command. */
function consumerProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "kshot-docs-"));
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(ROOT, join(dir, "node_modules", "kshot"), "dir");
  const bin = join(dir, "node_modules", ".bin", "kshot");
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "dist", "cli.mjs")}" "$@"\n`);
  chmodSync(bin, 0o755);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  return dir;
}

function exec(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const env = { ...process.env, PATH: `${join(cwd, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}` };
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 1 << 24, timeout: BLOCK_TIMEOUT_MS }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

async function runBlock(block: CodeBlock, index: number, dir: string): Promise<{ code: number; output: string }> {
  if (SHELL_LANGS.has(block.lang)) return exec("bash", ["-euo", "pipefail", "-c", block.code], dir);
  const { code } = await esbuild.transform(block.code, { loader: block.lang.startsWith("t") ? "ts" : "js", format: "esm" });
  const file = join(dir, `block-${index}.mjs`);
  writeFileSync(file, code);
  return exec(process.execPath, [file], dir);
}

beforeAll(ensureBuild, 600_000);

for (const file of FILES) {
  describe(`${file}: code blocks run as written`, () => {
    const blocks = codeBlocks(readFileSync(join(ROOT, file), "utf8"));
    let dir = "";
    beforeAll(() => void (dir = consumerProject()));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("has only blocks this test knows how to run, or marked as skipped", () => {
      const unknown = blocks.filter((b) => !b.skip && b.lang !== "text" && !MODULE_LANGS.has(b.lang) && !SHELL_LANGS.has(b.lang));
      expect(unknown.map((b) => `line ${b.line}: \`\`\`${b.lang}`)).toEqual([]);
    });

    blocks.forEach((block, index) => {
      if (block.lang === "text") return;
      const name = `the ${block.lang} block at line ${block.line}`;
      if (block.skip) {
        it.skip(`${name} (${block.skip})`, () => {});
        return;
      }
      it(name, async () => {
        const { code, output } = await runBlock(block, index, dir);
        expect(code, output).toBe(0);
      }, BLOCK_TIMEOUT_MS + 20_000);
    });
  });
}
