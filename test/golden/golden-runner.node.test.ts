// The golden runner's contract: it decides everything from metadata, its last line is "N passed, N
// failed", and it fails (exit 1) on wrong numbers, unknown algorithms or keys, and empty folders.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSafetensors, serializeSafetensors } from "../../src/io/safetensors.ts";
import { NO_TORCH, pythonWithTorch } from "../support/python.ts";

const root = resolve(__dirname, "../..");
const fixtures = join(root, "test/golden/cases");
const source = join(fixtures, "sinusoid_mlp_maml_1step.safetensors");
const dirs: string[] = [];

function caseDir(files: Record<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), "kshot-golden-test-"));
  dirs.push(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

function run(dir: string): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [join(root, "scripts/golden.mjs")], {
    env: { ...process.env, KSHOT_FIXTURES: dir, KSHOT_BACKEND: "reference" }, encoding: "utf8",
  });
  return { status: r.status, lines: r.stdout.trim().split("\n") };
}

/** The source case with its metadata and tensors edited. */
function edited(edit: (meta: Record<string, string>, tensors: Map<string, { dtype: string; shape: number[]; data: unknown }>) => void): Uint8Array {
  const { tensors, metadata } = parseSafetensors(new Uint8Array(readFileSync(source)));
  const meta = { ...metadata };
  edit(meta, tensors as never);
  return serializeSafetensors(tensors, meta);
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("npm run test:golden", () => {
  it("passes a real case and ends with the count line", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-golden-test-"));
    dirs.push(dir);
    copyFileSync(source, join(dir, "a.safetensors"));
    const r = run(dir);
    expect(r.status).toBe(0);
    expect(r.lines[r.lines.length - 1]).toBe("1 passed, 0 failed");
  });

  it("fails when an expected value is off by more than the tolerance", () => {
    const bytes = edited((_m, t) => {
      const e = t.get("expected.query_loss")!;
      (e.data as Float64Array)[0] *= 1.001;
    });
    const r = run(caseDir({ "b.safetensors": bytes }));
    expect(r.status).toBe(1);
    expect(r.lines[r.lines.length - 1]).toBe("0 passed, 1 failed");
  });

  it("reads the step count from the metadata (a changed inner_steps no longer matches)", () => {
    const r = run(caseDir({ "c.safetensors": edited((m) => { m.inner_steps = "2"; }) }));
    expect(r.status).toBe(1);
  });

  it("fails on an unknown algorithm or key, and on an empty folder", () => {
    const unknownAlgo = edited((m) => { m.algorithm = "maml++"; });
    const unknownKey = edited((m) => { m.temperature = "1"; });
    const r = run(caseDir({ "d.safetensors": unknownAlgo, "e.safetensors": unknownKey }));
    expect(r.status).toBe(1);
    expect(r.lines.join("\n")).toMatch(/unknown algorithm/);
    expect(r.lines.join("\n")).toMatch(/unknown metadata key "temperature"/);
    expect(r.lines[r.lines.length - 1]).toBe("0 passed, 2 failed");
    const empty = run(caseDir({}));
    expect(empty.status).toBe(1);
    expect(empty.lines[empty.lines.length - 1]).toBe("0 passed, 0 failed");
  });
});

describe("npm run test:golden without KSHOT_FIXTURES", () => {
  it("runs the repository's own cases (and the shared ones beside them when present)", () => {
    const r = spawnSync(process.execPath, [join(root, "scripts/golden.mjs")], {
      env: { ...process.env, KSHOT_FIXTURES: "", KSHOT_BACKEND: "reference" }, encoding: "utf8",
    });
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toContain(join(root, "test/golden/cases"));
    const [, passed, failed] = /^(\d+) passed, (\d+) failed$/.exec(lines[lines.length - 1]!) ?? [];
    expect(Number(passed)).toBeGreaterThanOrEqual(18);
    expect(Number(failed)).toBe(0);
    expect(r.status).toBe(0);
  });
});

describe("tools/golden/generate.py", () => {
  it("writes the 18 cases afresh with PyTorch, and kshot passes them", (ctx) => {
    const python = pythonWithTorch();
    if (!python) ctx.skip(NO_TORCH);
    const dir = caseDir({});
    const made = spawnSync(python!, [join(root, "tools/golden/generate.py"), dir], { encoding: "utf8" });
    expect(made.status).toBe(0);
    const r = run(dir);
    expect(r.lines[r.lines.length - 1]).toBe("18 passed, 0 failed");
  });
});
