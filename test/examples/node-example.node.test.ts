// examples/node.mjs runs as it is: it trains a small ProtoNet, adapts on a folder of PNG files (one per
// class, labelled by folder name) and classifies the folder's other images.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedDir } from "../support/fixtures.ts";
import { ensureBuild, run, summaryOf } from "./run-example.ts";

describe("examples/node.mjs", () => {
  it("writes glyph PNGs, adapts on 5 of them by class name and classifies 20 more", { timeout: 300_000 }, async () => {
    await ensureBuild();
    const r = await run(process.execPath, ["examples/node.mjs"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("adapted to 5 symbols from 5 examples");
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ algorithm: "protonet", ways: 5, shots: 1 });
    expect(summary.labels).toHaveLength(20);
    for (const label of summary.labels as string[]) expect(label).toMatch(/^symbol-[0-4]$/);
    expect(summary.accuracy as number).toBeGreaterThan(0.5);
  });

  it("reads Omniglot's own 1-bit PNG folders", { timeout: 300_000 }, async (ctx) => {
    const greek = join(sharedDir(), "data/omniglot/original-sample/images_background/Greek");
    if (!existsSync(greek)) return ctx.skip(`${greek} is absent`);
    await ensureBuild();
    const r = await run(process.execPath, ["examples/node.mjs", greek]);
    expect(r.code, r.stderr).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ ways: 5, folder: greek });
    expect(new Set(summary.labels as string[]).size).toBeGreaterThan(1);
    for (const label of summary.labels as string[]) expect(label).toMatch(/^character0[1-5]$/);
  });
});
