// The Learner on a checkpoint written by the Node command line (`kshot train`), in every runtime:
// scripts/test-deno.mjs trains one with `node dist/cli.mjs train` and passes its path as
// KSHOT_CLI_CHECKPOINT. In Deno the variable is required; a browser page skips (no file path to read);
// Node skips without it (cli-checkpoint.node.test.ts trains its own through the CLI).
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { currentRuntime } from "../../src/io/files-host.ts";
import { getEnv } from "../shims/env.ts";
import { adaptCliCheckpoint } from "./cli-checkpoint.ts";

describe("Learner on a checkpoint from the Node CLI", () => {
  it("loads it from its path, adapts 5-way 5-shot and classifies the queries", async (ctx) => {
    const path = getEnv("KSHOT_CLI_CHECKPOINT");
    const runtime = currentRuntime();
    if (!path) {
      if (runtime === "deno") throw new Error("KSHOT_CLI_CHECKPOINT is not set: run the Deno tests through scripts/test-deno.mjs, which trains a checkpoint with the Node CLI first");
      return ctx.skip(runtime === "browser" ? "browsers read no file paths" : "KSHOT_CLI_CHECKPOINT not set (cli-checkpoint.node.test.ts covers Node)");
    }
    if (runtime === "browser") return ctx.skip("browsers read no file paths");
    const r = await adaptCliCheckpoint(path);
    expect(r.algorithm).toBe("protonet");
    expect(r.accuracy).toBeGreaterThan(0.4);
    for (const s of r.sums) expect(s).toBeCloseTo(1, 5);
    expect(ks.memory().tensors).toBe(r.tensorsBefore);
  });
});
