import { describe, expect, it } from "vitest";
import { parseFlags, UsageError } from "../../src/cli/args.ts";

const spec = { ways: "positive-integer", seed: "integer", lr: "positive-number", out: "string", json: "switch" } as const;

describe("command-line flags", () => {
  it("reads --name value, --name=value and switches", () => {
    expect(parseFlags("t", ["--ways", "5", "--lr=0.4", "--json", "--out", "a.safetensors", "--seed", "0"], spec))
      .toEqual({ ways: 5, lr: 0.4, json: true, out: "a.safetensors", seed: 0 });
  });

  it("rejects bad numbers, naming the flag and what it expects", () => {
    expect(() => parseFlags("t", ["--ways", "five"], spec)).toThrow(/--ways expects a positive integer, got "five"/);
    expect(() => parseFlags("t", ["--ways", "0"], spec)).toThrow(/positive integer/);
    expect(() => parseFlags("t", ["--ways", "2.5"], spec)).toThrow(/positive integer/);
    expect(() => parseFlags("t", ["--seed", "-1"], spec)).toThrow(/non-negative integer/);
    expect(() => parseFlags("t", ["--lr", "-0.1"], spec)).toThrow(/--lr expects a positive number, got "-0.1"/);
    expect(() => parseFlags("t", ["--lr", "NaN"], spec)).toThrow(/positive number/);
    expect(() => parseFlags("t", ["--lr="], spec)).toThrow(/positive number, got ""/);
  });

  it("rejects unknown flags, missing values, repeats and stray arguments", () => {
    expect(() => parseFlags("train", ["--wayz", "5"], spec)).toThrow(/kshot train: unknown option --wayz \(options: --ways --seed/);
    expect(() => parseFlags("t", ["--out"], spec)).toThrow(/--out needs a value/);
    expect(() => parseFlags("t", ["--out", "--json"], spec)).toThrow(/--out needs a value/);
    expect(() => parseFlags("t", ["--ways", "1", "--ways", "2"], spec)).toThrow(/given twice/);
    expect(() => parseFlags("t", ["maml"], spec)).toThrow(/unexpected argument "maml"/);
    expect(() => parseFlags("t", ["--json=yes"], spec)).toThrow(/takes no value/);
    expect(() => parseFlags("t", ["--ways", "x"], spec)).toThrow(UsageError);
  });
});
