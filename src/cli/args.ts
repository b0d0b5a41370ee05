/**
 * Command-line flags: `--name value` or `--name=value`; boolean switches (`--json`) take no value. Every
 * command declares its flags; anything else (an unknown flag, a missing or malformed value, a number out
 * of range, a stray argument) is a usage error naming what was expected, checked before any work starts.
 * Integers are plain decimal integers (`--ways 0x10` and `--ways 1e1` are errors); numbers are decimals
 * with an optional exponent.
 */
import { KshotError } from "../errors.ts";

export type FlagType = "string" | "integer" | "number" | "switch";

/** A flag: its type and, for numbers, the range it must lie in (`above`: strictly greater). */
export interface FlagRule {
  type: FlagType;
  min?: number;
  above?: number;
  max?: number;
}

export type FlagSpec = Readonly<Record<string, FlagRule>>;

export type ParsedFlags = Record<string, string | number | boolean>;

/** A usage error: printed with a pointer to the command's help. */
export class UsageError extends KshotError {}

/** Rules for the common cases. */
export const rule = {
  string: { type: "string" } as FlagRule,
  switch: { type: "switch" } as FlagRule,
  /** An integer in [min, max]. */
  integer: (min: number, max: number): FlagRule => ({ type: "integer", min, max }),
  /** A number > 0 (and ≤ max). */
  positive: (max = Number.MAX_VALUE): FlagRule => ({ type: "number", above: 0, max }),
  /** A number ≥ 0 (and ≤ max). */
  nonNegative: (max = Number.MAX_VALUE): FlagRule => ({ type: "number", min: 0, max }),
};

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function expectation(r: FlagRule): string {
  const kind = r.type === "integer" ? "an integer" : "a number";
  const low = r.above !== undefined ? `> ${r.above}` : r.min !== undefined ? `≥ ${r.min}` : "";
  const high = r.max !== undefined && r.max < Number.MAX_VALUE ? `≤ ${r.max}` : "";
  if (r.type === "integer" && r.min !== undefined && high) return `${kind} from ${r.min} to ${r.max}`;
  return [kind, [low, high].filter(Boolean).join(" and ")].filter(Boolean).join(" ");
}

function convert(flag: string, r: FlagRule, raw: string): string | number {
  if (r.type === "string") {
    if (raw === "") throw new UsageError(`--${flag} expects a value, got an empty string`);
    return raw;
  }
  const n = Number(raw);
  const syntax = r.type === "integer" ? INTEGER.test(raw) && Number.isSafeInteger(n) : DECIMAL.test(raw) && Number.isFinite(n);
  const inRange = (r.min === undefined || n >= r.min) && (r.above === undefined || n > r.above) && (r.max === undefined || n <= r.max);
  if (!syntax || !inRange) throw new UsageError(`--${flag} expects ${expectation(r)}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for suggestions. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a slip (or `name` is a prefix of it). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.startsWith(name) && name.length >= 2 ? 0.5 : distance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** True when the arguments ask for help (`--help` or `-h` anywhere). */
export const wantsHelp = (args: readonly string[]): boolean => args.includes("--help") || args.includes("-h");

/** Parses `args` against `spec`; `command` names the command in errors. */
export function parseFlags(command: string, args: readonly string[], spec: FlagSpec): ParsedFlags {
  const flags: ParsedFlags = {};
  const names = Object.keys(spec);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      const named = arg.startsWith("-") ? "" : closest(arg, names);
      throw new UsageError(`kshot ${command}: unexpected argument ${JSON.stringify(arg)}${named ? ` (did you mean --${named}?)` : ""}; options are given as --name value`);
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const r = spec[name];
    if (!r) {
      const guess = closest(name, names);
      throw new UsageError(`kshot ${command}: unknown option --${name}${guess ? ` (did you mean --${guess}?)` : ""}`);
    }
    if (name in flags) throw new UsageError(`kshot ${command}: --${name} given twice`);
    if (r.type === "switch") {
      if (eq >= 0) throw new UsageError(`kshot ${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = args[i + 1];
      if (raw === undefined || (raw.startsWith("--") && raw.length > 2)) throw new UsageError(`kshot ${command}: --${name} needs a value`);
      i++;
    }
    flags[name] = convert(name, r, raw);
  }
  return flags;
}

/** Typed accessors over parsed flags. */
export const flag = {
  string: (f: ParsedFlags, name: string): string | undefined => f[name] as string | undefined,
  number: (f: ParsedFlags, name: string): number | undefined => f[name] as number | undefined,
  on: (f: ParsedFlags, name: string): boolean => f[name] === true,
};
