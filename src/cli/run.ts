/**
 * The `kshot` command: `kshot info | train | distill | eval | bench | data [flags]`, `kshot <command> --help`, `kshot --version`.
 * Flags are parsed and checked before a command does any work. Returns the exit code; every error is a
 * message on stderr and a non-zero code, never output that looks like success.
 */
import { KshotError } from "../errors.ts";
import { ALGORITHMS } from "../train/algorithms.ts";
import { closest, parseFlags, UsageError, wantsHelp } from "./args.ts";
import { BACKENDS } from "./backend.ts";
import type { Command } from "./command.ts";
import { benchCommand } from "./commands/bench.ts";
import { dataCommand } from "./commands/data.ts";
import { distillCommand } from "./commands/distill.ts";
import { evalCommand } from "./commands/eval.ts";
import { infoCommand } from "./commands/info.ts";
import { trainCommand } from "./commands/train.ts";
import { DATASETS } from "./data.ts";
import { flagHelp, flagSpec } from "./flags.ts";
import type { CliIO } from "./io.ts";
import { packageInfo } from "./package-root.ts";

const COMMANDS: readonly Command[] = [infoCommand, trainCommand, distillCommand, evalCommand, benchCommand, dataCommand];

/** `kshot --help`: every command in a line or two. */
export function usage(): string {
  const commands = COMMANDS.map((c) => `  kshot ${c.name} ${c.synopsis}\n      ${c.summary}`);
  return [
    "usage: kshot <command> [options]     (kshot <command> --help: its options; kshot --version)",
    ...commands,
    `algorithms: ${ALGORITHMS.join(" ")}`,
    `datasets: ${DATASETS.join(" ")} (glyphs is built in)`,
    `backends: ${BACKENDS.join(" ")}`,
  ].join("\n");
}

/** `kshot <command> --help`. */
export function commandHelp(c: Command): string {
  return [`usage: kshot ${c.name} ${c.synopsis}`, c.summary, "", "options:", flagHelp(c.flags), ...(c.notes ? ["", c.notes] : [])].join("\n");
}

function findCommand(name: string, io: CliIO): Command | undefined {
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command;
  const names = COMMANDS.map((c) => c.name);
  const guess = closest(name, names);
  io.err(`kshot: unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ""}; commands: ${names.join(", ")}\n(see kshot --help)`);
  return undefined;
}

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(usage());
    return 2;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const about = args[0] === undefined ? undefined : findCommand(args[0], io);
    if (args[0] !== undefined && !about) return 2;
    io.out(about ? commandHelp(about) : usage());
    return 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.out(`kshot ${packageInfo().version}`);
    return 0;
  }
  const command = findCommand(name, io);
  if (!command) return 2;
  if (wantsHelp(args)) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    const operands = args.slice(0, command.operands ?? 0).filter((a) => !a.startsWith("-"));
    return await command.run(parseFlags(command.name, args.slice(operands.length), flagSpec(command.flags)), io, operands);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n(see kshot ${command.name} --help)`);
      return 2;
    }
    io.err(`kshot ${command.name}: ${errorLine(err)}`);
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
