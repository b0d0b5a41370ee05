/**
 * The `kshot` command: `kshot info | train | eval | bench [flags]`. Returns the exit code; every error is a
 * message on stderr and a non-zero code, never output that looks like success.
 */
import { KshotError } from "../errors.ts";
import { UsageError } from "./args.ts";
import { benchCommand } from "./commands/bench.ts";
import { evalCommand } from "./commands/eval.ts";
import { infoCommand } from "./commands/info.ts";
import { trainCommand } from "./commands/train.ts";
import type { CliIO } from "./io.ts";

export const USAGE = `usage: kshot <command> [options]
  kshot info [--json]
      backends available here, which one --backend auto picks, versions
  kshot train --out FILE.safetensors [--algo A] [--dataset D] [--data PATH] [--split S] [--augment rot90|none]
      [--ways N] [--shots K] [--queries Q] [--meta-batch B] [--inner-steps S] [--inner-lr X] [--meta-lr Y]
      [--iterations I | --minutes M] [--seed S] [--backend B] [--threads T] [--fast] [--hidden H] [--resume FILE] [--eval] [--episodes E] [--json]
      meta-train; every option but --out defaults to the algorithm's published setting for the dataset
      (algorithm protonet, dataset glyphs by default); --eval then tests the model on E episodes (600)
  kshot eval --model FILE [--dataset D] [--data PATH] [--split S] [--ways N] [--shots K] [--queries Q]
      [--episodes E] [--inner-steps S] [--inner-lr X] [--seed S] [--backend B] [--threads T] [--fast] [--json]
      test accuracy (95% CI) over E episodes; defaults from the checkpoint, then 600 episodes, 15 queries
  --fast: wasm with fused multiply-add where the engine has relaxed SIMD (results may differ by engine)
  kshot bench [--json]
      run the benchmarks, one JSON object per line
algorithms: maml fomaml metasgd anil reptile protonet matchingnet finetune
datasets: glyphs (built in) omniglot imagefolder sinusoid
backends: auto webgpu wasm reference`;

const COMMANDS: Record<string, (args: readonly string[], io: CliIO) => Promise<number>> = {
  info: infoCommand,
  train: trainCommand,
  eval: evalCommand,
  bench: benchCommand,
};

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.err(`kshot: unknown command ${JSON.stringify(command)} (expected info, train, eval or bench)\n${USAGE}`);
    return 2;
  }
  try {
    return await handler(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n(see kshot --help)`);
      return 2;
    }
    if (err instanceof KshotError) {
      io.err(`kshot ${command}: ${err.message}`);
      return 1;
    }
    io.err(`kshot ${command}: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}
