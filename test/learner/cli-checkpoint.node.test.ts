// Node: the Learner on a checkpoint written by the kshot command line (`kshot train`, run in-process as
// test/cli does, so no build is needed), read back from its file.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.ts";
import { adaptCliCheckpoint, CLI_TRAIN_ARGS } from "./cli-checkpoint.ts";
import { learnerBackend } from "./fixtures.ts";

describe("Learner on a checkpoint from `kshot train` (Node)", () => {
  it("the CLI trains a ProtoNet; the Learner loads the file, adapts and classifies", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "kshot-learner-")), "protonet.safetensors");
    const err: string[] = [];
    const code = await run([...CLI_TRAIN_ARGS, "--out", out], { out: () => {}, err: (l) => void err.push(l), env: {} });
    expect(code, err.join("\n")).toBe(0);
    await learnerBackend();
    const r = await adaptCliCheckpoint(out);
    expect(r.algorithm).toBe("protonet");
    expect(r.accuracy).toBeGreaterThan(0.4);
  });
});
