import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorLine } from "../../src/cli/run.ts";
import { KshotError } from "../../src/errors.ts";
import { kshot, kshotWithEnv, scratch } from "./capture.ts";

describe("the kshot error boundary", () => {
  it("names engine errors in one line, without a stack", () => {
    expect(errorLine(new KshotError("bad thing\n  on two lines"))).toBe("bad thing on two lines");
    expect(errorLine(new RangeError("Invalid typed array length: 4294967296"))).toBe(
      "a size or count out of range (RangeError: Invalid typed array length: 4294967296); try smaller settings",
    );
    expect(errorLine(new WebAssembly.RuntimeError("memory access out of bounds"))).toMatch(/^internal error: the wasm backend trapped \(memory access out of bounds\)/);
    expect(errorLine(new TypeError("x is undefined"))).toBe("unexpected error (TypeError: x is undefined); KSHOT_DEBUG=1 shows the stack");
  });

  it("exits 1 with one line on stderr for a bad checkpoint; KSHOT_DEBUG adds the stack", async () => {
    const path = join(scratch("boundary"), "bad.safetensors");
    writeFileSync(path, new Uint8Array(7));
    const r = await kshot("eval", "--model", path, "--backend", "reference");
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`kshot eval: ${path}: expected at least 8 bytes (the header length), found 7`]);
    const debug = await kshotWithEnv({ KSHOT_DEBUG: "1" }, "eval", "--model", path, "--backend", "reference");
    expect(debug.err.length).toBeGreaterThan(1);
    expect(debug.err[1]).toMatch(/KshotError: .* at /s);
  });
});
