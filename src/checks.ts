/** Validation of options at the public boundary: one rule per kind, one message shape everywhere. */
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

/** `value` when it is one of `choices`; otherwise a KshotError 'owner: expected name "a", "b" or "c", got value'. */
export function checkChoice<C extends string>(owner: string, name: string, value: unknown, choices: readonly C[]): C {
  if (!(choices as readonly unknown[]).includes(value)) {
    const quoted = choices.map((c) => JSON.stringify(c));
    const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : quoted.join("");
    throw new KshotError(`${owner}: expected ${name} ${list}, got ${JSON.stringify(value)}`);
  }
  return value as C;
}
