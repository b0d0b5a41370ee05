/** Validation of numeric options at the public boundary: one rule per kind, one message shape everywhere. */
import { KshotError } from "./errors.ts";

const RULES = {
  "positive integer": (v: number) => Number.isInteger(v) && v >= 1,
  "non-negative integer": (v: number) => Number.isInteger(v) && v >= 0,
  "positive number": (v: number) => Number.isFinite(v) && v > 0,
  "non-negative number": (v: number) => Number.isFinite(v) && v >= 0,
} as const;

export type NumberKind = keyof typeof RULES;

/** `value` when it is a number of `kind`; otherwise a KshotError "owner: expected name to be a kind, got value". */
export function checkNumber(owner: string, name: string, value: unknown, kind: NumberKind): number {
  if (typeof value !== "number" || !RULES[kind](value)) {
    throw new KshotError(`${owner ? `${owner}: ` : ""}expected ${name} to be a ${kind}, got ${typeof value === "number" ? value : JSON.stringify(value)}`);
  }
  return value;
}

/** As checkNumber, letting undefined through (an option left to its default). */
export function checkOptionalNumber(owner: string, name: string, value: unknown, kind: NumberKind): number | undefined {
  return value === undefined ? undefined : checkNumber(owner, name, value, kind);
}
