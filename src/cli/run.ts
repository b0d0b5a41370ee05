/**
 * The `kshot` command: `kshot info | train | eval | bench | data [flags]`. Returns the exit code; every error is a
 * message on stderr and a non-zero code, never output that looks like success.
 */
import { KshotError } from "../errors.ts";
import { UsageError } from "./args.ts";
import { benchCommand } from "./commands/bench.ts";
import { dataCommand } from "./commands/data.ts";
import { evalCommand } from "./commands/eval.ts";
import { infoCommand } from "./commands/info.ts";
import { trainCommand } from "./commands/train.ts";
import type { CliIO } from "./io.ts";

export const USAGE = `usage: kshot <command> [options]
  kshot info [--json]
      backends available here, which one --backend auto picks, versions
  kshot train --out FILE.safetensors [--algo A] [--dataset D] [--data PATH] [--split S] [--augment rot90|none]
      [--ways N] [--shots K] [--queries Q] [--meta-batch B] [--inner-steps S] [--inner-lr X] [--meta-lr Y]
      [--iterations I | --minutes M] [--seed S] [--backend B] [--threads T] [--hidden H] [--resume FILE] [--eval] [--episodes E] [--json]
      meta-train; every option but --out defaults to the algorithm's published setting for the dataset
      (algorithm protonet, dataset glyphs by default); --eval then tests the model on E episodes (600)
  kshot eval --model FILE [--dataset D] [--data PATH] [--split S] [--ways N] [--shots K] [--queries Q]
      [--episodes E] [--inner-steps S] [--inner-lr X] [--seed S] [--backend B] [--threads T] [--json]
      test accuracy (95% CI) over E episodes; defaults from the checkpoint, then 600 episodes, 15 queries
  kshot bench [--json]
      run the benchmarks, one JSON object per line
  kshot data omniglot [--to DIR] [--json]
      download the official Omniglot archives (MD5-checked, resumable) and convert them to the compact
      pair --dataset omniglot reads; DIR defaults to $KSHOT_DATA/omniglot, else ~/.cache/kshot/omniglot
algorithms: maml fomaml metasgd anil reptile protonet matchingnet finetune
datasets: glyphs (built in) omniglot imagefolder sinusoid
backends: auto webgpu wasm reference`;

const COMMANDS: Record<string, (args: readonly string[], io: CliIO) => Promise<number>> = {
  info: infoCommand,
  train: trainCommand,
  eval: evalCommand,
  bench: benchCommand,
  data: dataCommand,
};

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.err(`kshot: unknown command ${JSON.stringify(command)} (expected info, train, eval, bench or data)\n${USAGE}`);
    return 2;
  }
  try {
    return await handler(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n(see kshot --help)`);
      return 2;
    }
    io.err(`kshot ${command}: ${errorLine(err)}`);
    if (io.env.KSHOT_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}

/** One line naming what went wrong: a KshotError's message, else the engine error for what it is. */
export function errorLine(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");
  if (err instanceof KshotError) return message;
  if (typeof WebAssembly !== "undefined" && err instanceof WebAssembly.RuntimeError) return `internal error: the wasm backend trapped (${message}); please report it with KSHOT_DEBUG=1 output`;
  if (err instanceof RangeError) return `a size or count out of range (RangeError: ${message}); try smaller settings`;
  return `unexpected error (${err instanceof Error ? err.name : typeof err}: ${message}); KSHOT_DEBUG=1 shows the stack`;
}
