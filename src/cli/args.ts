/**
 * Command-line flags: `--name value` or `--name=value`; boolean switches (`--json`) take no value. Every
 * command declares its flags; anything else (an unknown flag, a missing or malformed value, a stray
 * argument) is a usage error naming what was expected.
 */
import { KshotError } from "../errors.ts";

export type FlagType = "string" | "integer" | "positive-integer" | "number" | "positive-number" | "switch";

export type FlagSpec = Readonly<Record<string, FlagType>>;

export type ParsedFlags = Record<string, string | number | boolean>;

/** A usage error: printed with the command's usage line. */
export class UsageError extends KshotError {}

function convert(flag: string, type: FlagType, raw: string): string | number {
  if (type === "string") {
    if (raw === "") throw new UsageError(`--${flag} expects a value, got an empty string`);
    return raw;
  }
  const n = Number(raw);
  const integer = type === "integer" || type === "positive-integer";
  const positive = type === "positive-integer" || type === "positive-number";
  const ok = raw.trim() !== "" && Number.isFinite(n) && (!integer || Number.isInteger(n)) && (!positive || n > 0) && (type !== "integer" || n >= 0);
  if (!ok) {
    const what = type === "integer" ? "a non-negative integer" : type === "positive-integer" ? "a positive integer" : type === "positive-number" ? "a positive number" : "a number";
    throw new UsageError(`--${flag} expects ${what}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Parses `args` against `spec`; `command` names the command in errors. */
export function parseFlags(command: string, args: readonly string[], spec: FlagSpec): ParsedFlags {
  const flags: ParsedFlags = {};
  const known = Object.keys(spec).map((k) => `--${k}`).join(" ");
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      throw new UsageError(`kshot ${command}: unexpected argument ${JSON.stringify(arg)} (options: ${known})`);
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const type = spec[name];
    if (!type) throw new UsageError(`kshot ${command}: unknown option --${name} (options: ${known})`);
    if (name in flags) throw new UsageError(`kshot ${command}: --${name} given twice`);
    if (type === "switch") {
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
    flags[name] = convert(name, type, raw);
  }
  return flags;
}

/** Typed accessors over parsed flags. */
export const flag = {
  string: (f: ParsedFlags, name: string): string | undefined => f[name] as string | undefined,
  number: (f: ParsedFlags, name: string): number | undefined => f[name] as number | undefined,
  on: (f: ParsedFlags, name: string): boolean => f[name] === true,
};
