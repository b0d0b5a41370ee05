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
  /** Paragraphs after the flag list in `kshot <name> --help`. */
  notes?: string;
  /** False where the command cannot run (it is then left out of the usage). */
  available?(): boolean;
  /** Runs with flags already parsed and checked; returns the exit code. */
  run(flags: ParsedFlags, io: CliIO): Promise<number>;
}
