/** Runs the kshot command in-process with captured output (the CLI tests are Node-only). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";

export interface Captured {
  code: number;
  out: string[];
  err: string[];
  /** The last stdout line parsed as JSON. */
  json(): Record<string, unknown>;
}

export async function kshot(...argv: string[]): Promise<Captured> {
  return kshotWithEnv({}, ...argv);
}

export async function kshotWithEnv(env: Record<string, string>, ...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => void out.push(l), err: (l) => void err.push(l), env });
  return {
    code, out, err,
    json: () => JSON.parse(out[out.length - 1] ?? "null") as Record<string, unknown>,
  };
}

export function scratch(label: string): string {
  return mkdtempSync(join(tmpdir(), `kshot-cli-${label}-`));
}
