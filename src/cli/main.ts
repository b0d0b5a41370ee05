/** Entry of the `kshot` command (bundled to dist/cli.mjs): wires the process to `run`. */
import { run } from "./run.ts";

const controller = new AbortController();
let interrupts = 0;
process.on("SIGINT", () => {
  // First Ctrl-C: stop cleanly (training writes its checkpoint). Second: leave at once.
  if (++interrupts > 1) process.exit(130);
  process.stderr.write("\nkshot: stopping (Ctrl-C again to quit at once)…\n");
  controller.abort(new Error("interrupted"));
});

const code = await run(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
  tty: process.stderr.isTTY ? process.stderr : undefined,
  interrupt: controller.signal,
  env: process.env,
});
// Backends may hold handles (WebGPU devices) that would keep Node alive: exit once stdout is flushed.
process.stdout.write("", () => process.exit(code));
