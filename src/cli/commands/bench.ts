/**
 * `kshot bench [--json]`: runs every `bench/*.bench.mjs` of the source checkout (each in its own process)
 * and prints their JSON lines, one object per line, each with a `"name"`. Lines that are not such objects
 * go to stderr, so stdout stays pure JSON lines.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { KshotError } from "../../errors.ts";
import type { Command } from "../command.ts";
import type { CliIO } from "../io.ts";
import { packageInfo } from "../package-root.ts";

const benchDir = () => join(packageInfo().root, "bench");

export const benchCommand: Command = {
  name: "bench",
  summary: "run the benchmarks of the source repository, one JSON object per line",
  synopsis: "[--json]",
  flags: ["json"],
  notes: "Only in a clone of the repository (the benchmarks are not part of the npm package). KSHOT_BENCH=REGEX picks them by file name.",
  run: (_, io) => bench(io),
};

function isMeasurement(line: string): boolean {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { name?: unknown }).name === "string";
  } catch {
    return false;
  }
}

function runOne(file: string, io: CliIO): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
    const out = createInterface({ input: child.stdout });
    const err = createInterface({ input: child.stderr });
    out.on("line", (line) => (isMeasurement(line.trim()) ? io.out(line.trim()) : io.err(line)));
    err.on("line", (line) => io.err(line));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

async function bench(io: CliIO): Promise<number> {
  const dir = benchDir();
  if (!existsSync(dir)) {
    throw new KshotError("the benchmarks run from a clone of the source repository (bench/ is not in the npm package): clone it, then `npm install && npm run bench`");
  }
  // KSHOT_BENCH (a regular expression) picks benchmarks by file name, as bench/run.mjs does.
  const only = io.env.KSHOT_BENCH ? new RegExp(io.env.KSHOT_BENCH) : undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith(".bench.mjs")).sort().filter((f) => !only || only.test(f));
  if (files.length === 0) {
    throw new KshotError(`no benchmarks${only ? ` matching KSHOT_BENCH=${io.env.KSHOT_BENCH}` : ""} (bench/*.bench.mjs) in ${dir}`);
  }
  let failed = 0;
  for (const file of files) {
    const code = await runOne(join(dir, file), io);
    if (code !== 0) {
      failed++;
      io.err(`kshot bench: ${file} exited with ${code}`);
    }
  }
  return failed ? 1 : 0;
}
