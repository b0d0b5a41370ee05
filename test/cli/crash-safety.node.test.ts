// Crash safety of checkpoints: `kshot train` killed with SIGKILL inside the checkpoint write (held there by
// the KSHOT_TEST_WRITE_PAUSE_MS hook) or at a random moment always leaves the previous checkpoint whole.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { scratch } from "./capture.ts";

const CLI = resolve("dist/cli.mjs");
const TRAIN = ["train", "--algo", "maml", "--dataset", "sinusoid", "--meta-batch", "2", "--backend", "reference"];

/** Runs `kshot train` and SIGKILLs it once `killWhen` says so (polled every 10 ms); resolves when it is gone. */
function trainUntilKilled(args: string[], env: Record<string, string>, killWhen: (elapsedMs: number) => boolean): Promise<void> {
  const child = spawn(process.execPath, [CLI, ...TRAIN, ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
  const start = Date.now();
  return new Promise((done) => {
    const timer = setInterval(() => {
      if (killWhen(Date.now() - start)) child.kill("SIGKILL");
    }, 10);
    child.on("exit", () => {
      clearInterval(timer);
      done();
    });
  });
}

describe("checkpoint crash safety", () => {
  it("the previous checkpoint survives SIGKILL during the write, and resumes", async () => {
    expect(existsSync(CLI), "dist/cli.mjs (npm run build)").toBe(true);
    const dir = scratch("crash");
    const out = join(dir, "run.safetensors");
    const first = spawnSync(process.execPath, [CLI, ...TRAIN, "--iterations", "1", "--out", out], { encoding: "utf8" });
    expect(first.status, first.stderr).toBe(0);
    const original = readFileSync(out);
    const tempFiles = () => readdirSync(dir).filter((n) => n.includes(".tmp-"));

    for (let round = 0; round < 3; round++) {
      // Paused between writing the temp file and renaming it: killed there.
      await trainUntilKilled(["--resume", out, "--iterations", "3", "--out", out], { KSHOT_TEST_WRITE_PAUSE_MS: "60000" }, () => tempFiles().length > round);
      expect(readFileSync(out).equals(original), `round ${round}: the checkpoint is unchanged`).toBe(true);
    }
    expect(tempFiles().length).toBe(3); // what a killed write leaves: its temp file, beside the intact checkpoint

    // Killed at a random moment of a whole run: the file is the old checkpoint or a complete new one.
    for (const delay of [300, 1500]) {
      await trainUntilKilled(["--resume", out, "--iterations", "3", "--out", out], {}, (ms) => ms > delay);
      // A loaded file is whole: the old checkpoint, or a new one (a slow run also checkpoints on time).
      const c = await ks.io.load(out);
      expect([1, 2, 3]).toContain(c.metadata.iteration);
      ks.io.disposeCheckpoint(c);
    }
    const resumed = spawnSync(process.execPath, [CLI, ...TRAIN, "--resume", out, "--iterations", "4", "--out", out], { encoding: "utf8" });
    expect(resumed.status, resumed.stderr).toBe(0);
    const c = await ks.io.load(out);
    expect(c.metadata.iteration).toBe(4);
    ks.io.disposeCheckpoint(c);
  }, 300_000); // seven `kshot train` processes: minutes on a loaded machine
});
