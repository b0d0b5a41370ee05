/** Runs an example program as a user would and returns its last stdout line parsed as JSON (the summary). */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

export function summaryOf(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

export function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Mesa's window-system probe (WebGPU in Deno) prints "XDG_RUNTIME_DIR is invalid" without one.
    const env = { XDG_RUNTIME_DIR: tmpdir(), ...process.env };
    execFile(command, args, { cwd: ROOT, env, maxBuffer: 1 << 24, timeout: 280_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Builds dist/ when the sources changed since the last build (the examples import the built bundle). */
export async function ensureBuild(): Promise<void> {
  const r = await run(process.execPath, [join(ROOT, "scripts", "ensure-build.mjs")]);
  if (r.code !== 0) throw new Error(`build failed: ${r.stderr}`);
}

export const DENO = process.env.DENO_PATH ?? join(ROOT, "node_modules", ".bin", "deno");
export const hasDeno = () => existsSync(DENO);
