import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { kshot, scratch } from "./capture.ts";

const REF = ["--backend", "reference"];
/** A tiny glyph ProtoNet run (4-filter Conv-4, 2 validation episodes). */
const TINY = ["--algo", "protonet", "--dataset", "glyphs", "--ways", "3", "--shots", "1", "--queries", "1", "--hidden", "4", "--episodes", "2", ...REF];

describe("kshot distill", () => {
  it("distills a teacher checkpoint into a smaller student that kshot eval loads", async () => {
    const dir = scratch("distill");
    const teacher = join(dir, "teacher.safetensors");
    const student = join(dir, "student.safetensors");
    expect((await kshot("train", ...TINY, "--iterations", "2", "--out", teacher)).code).toBe(0);

    const d = await kshot("distill", "--teacher", teacher, "--hidden", "2", "--iterations", "3", "--temperature", "2", "--episodes", "2", "--out", student, ...REF, "--json");
    expect(d.err.join("\n")).toMatch(/kshot distill: protonet Conv-4 with 2 filters from protonet .*4 filters.* T 2, hard weight 0.5, budget 3 iterations/);
    expect(d.code).toBe(0);
    expect(d.json()).toMatchObject({ iterations: 3, out: student, teacher, hidden: 2, temperature: 2, hardWeight: 0.5, algorithm: "protonet", dataset: "glyphs" });

    const c = await ks.io.load(student);
    expect(c.metadata.model!.config).toMatchObject({ hidden: 2, ways: 0 });
    expect(c.metadata.training).toMatchObject({ ways: 3, shots: 1, hidden: 2, distillation: { temperature: 2, hardWeight: 0.5 } });
    ks.io.disposeCheckpoint(c);
    const e = await kshot("eval", "--model", student, "--episodes", "3", ...REF, "--json");
    expect(e.code).toBe(0);
    expect(e.json()).toMatchObject({ algorithm: "protonet", episodes: 3, ways: 5, shots: 1 });
  });

  it("requires --teacher, --hidden and --out, and says what is wrong with a teacher", async () => {
    const dir = scratch("distill-usage");
    const out = join(dir, "s.safetensors");
    expect((await kshot("distill", "--hidden", "8", "--out", out)).err.join("\n")).toMatch(/--teacher FILE.safetensors is required/);
    expect((await kshot("distill", "--teacher", "t.safetensors", "--out", out)).err.join("\n")).toMatch(/--hidden H is required/);
    const usage = await kshot("distill", "--teacher", "t.safetensors", "--hidden", "8", "--out", out, "--hard-weight", "-1");
    expect(usage.code).toBe(2);
    expect(usage.err.join("\n")).toMatch(/--hard-weight expects a number ≥ 0/);
    const missing = await kshot("distill", "--teacher", join(dir, "none.safetensors"), "--hidden", "8", "--out", out, ...REF);
    expect(missing.code).toBe(1);
    const help = await kshot("distill", "--help");
    expect(help.out.join("\n")).toMatch(/--temperature T +softmax temperature of the soft targets \(default 4\)/);
  });
});

describe("kshot train --auxiliary rotation", () => {
  it("trains ProtoNet with the rotation loss, stores it, and refuses it for other algorithms", async () => {
    const dir = scratch("rotation");
    const out = join(dir, "rot.safetensors");
    const t = await kshot("train", ...TINY, "--iterations", "2", "--auxiliary", "rotation", "--out", out, "--json");
    expect(t.code).toBe(0);
    const c = await ks.io.load(out);
    expect(c.metadata.algorithm!.options).toMatchObject({ auxiliary: "rotation", rotationWeight: 1 });
    expect(c.params["rotation.weight"]!.shape).toEqual([4, 4]);
    ks.io.disposeCheckpoint(c);
    const more = await kshot("train", "--resume", out, "--iterations", "3", "--out", out, ...REF, "--json");
    expect(more.code).toBe(0);
    const again = await ks.io.load(out);
    expect(again.metadata.algorithm!.options).toMatchObject({ auxiliary: "rotation" });
    ks.io.disposeCheckpoint(again);
    const maml = await kshot("train", "--algo", "maml", "--dataset", "glyphs", "--auxiliary", "rotation", "--iterations", "1", "--out", join(dir, "m.safetensors"), ...REF);
    expect(maml.code).toBe(1);
    expect(maml.err.join("\n")).toMatch(/--auxiliary rotation: maml has no auxiliary loss/);
    const bad = await kshot("train", ...TINY, "--auxiliary", "jigsaw", "--iterations", "1", "--out", out);
    expect(bad.err.join("\n")).toMatch(/--auxiliary expects rotation or none, got "jigsaw"/);
  });
});
