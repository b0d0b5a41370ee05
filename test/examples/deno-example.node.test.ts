// examples/deno.ts type-checks (deno check) and runs as it is in Deno.
import { describe, expect, it } from "vitest";
import { DENO, hasDeno, run, summaryOf } from "./run-example.ts";

describe("examples/deno.ts", () => {
  it("deno check passes and deno run trains, adapts on 5 examples and classifies 20 new drawings", { timeout: 300_000 }, async (ctx) => {
    if (!hasDeno()) {
      if (process.env.CI) throw new Error(`no Deno binary at ${DENO}`);
      return ctx.skip(`runtime unavailable: no Deno at ${DENO}`);
    }
    const check = await run(DENO, ["check", "examples/deno.ts"]);
    expect(check.code, check.stderr).toBe(0);
    const r = await run(DENO, ["run", "-A", "examples/deno.ts"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ algorithm: "protonet", ways: 5, shots: 1 });
    expect(summary.accuracy as number).toBeGreaterThan(0.5);
  });
});
