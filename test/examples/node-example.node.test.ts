// examples/node.mjs runs as it is: it trains a small ProtoNet, adapts on five drawings and prints its predictions.
import { describe, expect, it } from "vitest";
import { ensureBuild, run, summaryOf } from "./run-example.ts";

describe("examples/node.mjs", () => {
  it("trains, adapts on 5 examples and classifies 20 new drawings", { timeout: 300_000 }, async () => {
    await ensureBuild();
    const r = await run(process.execPath, ["examples/node.mjs"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("adapted to 5 symbols from 5 examples");
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ algorithm: "protonet", ways: 5, shots: 1 });
    expect(summary.labels).toHaveLength(20);
    expect(summary.accuracy as number).toBeGreaterThan(0.5);
  });
});
