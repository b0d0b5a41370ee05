/** What a `kshot` command declares: its name, its help, the flags it takes, and what it does with them. */
import type { ParsedFlags } from "./args.ts";
import type { FlagName } from "./flags.ts";
import type { CliIO } from "./io.ts";

export interface Command {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The synopsis after `kshot <name>`, e.g. `--out FILE [options]`. */
  synopsis: string;
  flags: readonly FlagName[];
  /** Leading arguments that are not flags (`kshot data omniglot`): how many; they reach `run` as `operands`. */
  operands?: number;
  /** Paragraphs after the flag list in `kshot <name> --help`. */
  notes?: string;
  /** Runs with flags already parsed and checked; returns the exit code. */
  run(flags: ParsedFlags, io: CliIO, operands: readonly string[]): Promise<number>;
}
