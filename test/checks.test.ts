import { describe, expect, it } from "vitest";
import { checkNumber, checkOptionalNumber } from "../src/checks.ts";
import { KshotError } from "../src/errors.ts";

describe("checkNumber", () => {
  it("passes numbers of the kind through", () => {
    expect(checkNumber("o", "n", 3, "positive integer")).toBe(3);
    expect(checkNumber("o", "n", 0, "non-negative integer")).toBe(0);
    expect(checkNumber("o", "n", 0.5, "positive number")).toBe(0.5);
    expect(checkNumber("o", "n", 0, "non-negative number")).toBe(0);
    expect(checkOptionalNumber("o", "n", undefined, "positive integer")).toBeUndefined();
  });

  it("says what was expected and what came", () => {
    expect(() => checkNumber("train", "iterations", 0, "positive integer")).toThrow(KshotError);
    expect(() => checkNumber("train", "iterations", 1.5, "positive integer")).toThrow("train: expected iterations to be a positive integer, got 1.5");
    expect(() => checkNumber("", "lr", Number.NaN, "non-negative number")).toThrow(/^expected lr to be a non-negative number, got NaN$/);
    expect(() => checkNumber("x", "lr", Infinity, "positive number")).toThrow("got Infinity");
    expect(() => checkOptionalNumber("x", "steps", "3", "non-negative integer")).toThrow('x: expected steps to be a non-negative integer, got "3"');
  });
});
