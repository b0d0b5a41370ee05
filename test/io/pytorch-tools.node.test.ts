// tools/pytorch itself, run with PyTorch when this machine has it: make_fixtures.py writes fresh
// fixtures (from the committed kshot-made checkpoint), and kshot checks them as it checks the committed
// ones. Without PyTorch the test is skipped and says how to get it.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NO_TORCH, pythonWithTorch } from "../support/python.ts";
import { adaptAndCompare } from "./interop-check.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/io/pytorch-interop");

const python = pythonWithTorch();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("tools/pytorch with PyTorch", () => {
  it("make_fixtures.py writes checkpoints and expectations kshot reproduces within 1e-4", async (ctx) => {
    if (!python) ctx.skip(NO_TORCH);
    const out = mkdtempSync(join(tmpdir(), "kshot-pytorch-"));
    dirs.push(out);
    copyFileSync(join(FIXTURES, "kshot-maml.safetensors"), join(out, "kshot-maml.safetensors"));
    const r = spawnSync(python!, [join(ROOT, "tools/pytorch/make_fixtures.py"), out], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const read = async (file: string) => new Uint8Array(readFileSync(join(out, file)));
    for (const name of ["pytorch-maml", "pytorch-protonet", "kshot-maml"]) (await adaptAndCompare(read, name)).dispose();
  });

  it("save_kshot and load_kshot round-trip a module, and load_kshot refuses other safetensors", (ctx) => {
    if (!python) ctx.skip(NO_TORCH);
    const out = mkdtempSync(join(tmpdir(), "kshot-pytorch-"));
    dirs.push(out);
    const script = `
import sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, "tools/pytorch"))})
from kshot_torch import MLP, Conv4, save_kshot, load_kshot, write_safetensors
m = MLP([1, 40, 40, 1])
save_kshot(sys.argv[1] + "/m.safetensors", m, "maml", {"innerLr": 0.01, "loss": "mse"}, {"steps": 1})
back, others, meta = load_kshot(sys.argv[1] + "/m.safetensors")
assert isinstance(back, MLP) and others == {} and meta["evaluation"] == {"steps": 1}, meta
x = torch.linspace(-5, 5, 7).reshape(7, 1)
assert torch.equal(back(x), m(x))
write_safetensors(sys.argv[1] + "/plain.safetensors", {"w": torch.ones(2)}, {})
try:
    load_kshot(sys.argv[1] + "/plain.safetensors")
    raise SystemExit("accepted a file without kshot metadata")
except ValueError as e:
    assert "expected a kshot checkpoint" in str(e), e
print("ok")
`;
    const r = spawnSync(python!, ["-c", script, out], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("ok");
  });
});
