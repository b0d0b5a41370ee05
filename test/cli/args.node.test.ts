import { describe, expect, it } from "vitest";
import { closest, parseFlags, rule, UsageError, wantsHelp } from "../../src/cli/args.ts";

const spec = { ways: rule.integer(1, 1000), seed: rule.integer(0, 2 ** 32 - 1), lr: rule.positive(), out: rule.string, json: rule.switch };

describe("command-line flags", () => {
  it("reads --name value, --name=value and switches", () => {
    expect(parseFlags("t", ["--ways", "5", "--lr=0.4", "--json", "--out", "a.safetensors", "--seed", "0"], spec))
      .toEqual({ ways: 5, lr: 0.4, json: true, out: "a.safetensors", seed: 0 });
    expect(parseFlags("t", ["--lr", "1e-3", "--ways", "+7"], spec)).toEqual({ lr: 0.001, ways: 7 });
  });

  it("integers are plain decimal integers in range; numbers are decimals; both named with what they expect", () => {
    expect(() => parseFlags("t", ["--ways", "five"], spec)).toThrow(/--ways expects an integer from 1 to 1000, got "five"/);
    for (const bad of ["0", "2.5", "0x10", "1e1", "0b11", " 5", "", "1001", "Infinity"]) {
      expect(() => parseFlags("t", ["--ways", bad], spec), bad).toThrow(/--ways expects an integer from 1 to 1000/);
    }
    expect(() => parseFlags("t", ["--seed", "-1"], spec)).toThrow(/--seed expects an integer from 0 to 4294967295, got "-1"/);
    expect(() => parseFlags("t", ["--seed", "4294967296"], spec)).toThrow(/from 0 to 4294967295/);
    expect(() => parseFlags("t", ["--lr", "-0.1"], spec)).toThrow(/--lr expects a number > 0, got "-0.1"/);
    for (const bad of ["NaN", "0", "0x1", "Infinity", "1e999", "", ".", "1.2.3"]) expect(() => parseFlags("t", ["--lr", bad], spec), bad).toThrow(/--lr expects a number > 0/);
    expect(() => parseFlags("t", ["--ways", "x"], spec)).toThrow(UsageError);
  });

  it("rejects unknown flags with a suggestion, missing values, repeats and stray arguments", () => {
    expect(() => parseFlags("train", ["--wayz", "5"], spec)).toThrow(/kshot train: unknown option --wayz \(did you mean --ways\?\)/);
    expect(() => parseFlags("train", ["--jsn"], spec)).toThrow(/did you mean --json\?/);
    expect(() => parseFlags("train", ["--algorithm", "maml"], spec)).toThrow(/unknown option --algorithm$/);
    expect(() => parseFlags("t", ["--out"], spec)).toThrow(/--out needs a value/);
    expect(() => parseFlags("t", ["--out", "--json"], spec)).toThrow(/--out needs a value/);
    expect(() => parseFlags("t", ["--ways", "1", "--ways", "2"], spec)).toThrow(/given twice/);
    expect(() => parseFlags("t", ["maml"], spec)).toThrow(/unexpected argument "maml"; options are given as --name value/);
    expect(() => parseFlags("t", ["ways", "5"], spec)).toThrow(/unexpected argument "ways" \(did you mean --ways\?\)/);
    expect(() => parseFlags("t", ["--json=yes"], spec)).toThrow(/takes no value/);
  });

  it("suggestions: slips and prefixes, nothing for unrelated names", () => {
    expect(closest("trian", ["info", "train", "eval"])).toBe("train");
    expect(closest("evl", ["info", "train", "eval"])).toBe("eval");
    expect(closest("meta", ["meta-batch", "meta-lr", "ways"])).toBe("meta-batch");
    expect(closest("xyz", ["info", "train", "eval"])).toBeUndefined();
    expect(wantsHelp(["--ways", "5", "-h"])).toBe(true);
    expect(wantsHelp(["--ways", "5"])).toBe(false);
  });
});
