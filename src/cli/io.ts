/**
 * What a command may touch of its process: output streams, whether stderr is a terminal, the clock-free
 * environment, and an interrupt signal. main.ts wires the real process; tests pass string sinks.
 */
import type { TerminalStream } from "./progress.ts";

export interface CliIO {
  /** One line of stdout (results; with --json the last line is the JSON object). */
  out(line: string): void;
  /** One line of stderr (progress, messages, errors). */
  err(line: string): void;
  /** The stream progress bars draw on, when it is a terminal (then a bar is shown, else plain lines). */
  tty?: TerminalStream;
  /** Aborted on Ctrl-C: training stops cleanly and writes its checkpoint. */
  interrupt?: AbortSignal;
  /** Environment variables. */
  env: Readonly<Record<string, string | undefined>>;
}
