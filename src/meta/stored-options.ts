/**
 * Reading an algorithm's stored options (checkpoint `algorithm_options`, or what the command line builds)
 * back into typed values: each algorithm's registry entry uses these, so a wrong type is reported the same
 * way everywhere.
 */
import { KshotError } from "../errors.ts";
import type { StoredOptions } from "./algorithm.ts";
import type { LossKind } from "./losses.ts";

type FieldType = "number" | "boolean" | "string";
type Typed<T extends FieldType> = T extends "number" ? number : T extends "boolean" ? boolean : string;

/** The option `key` if present, checked to be of `type`. */
export function storedField<T extends FieldType>(o: StoredOptions, key: string, type: T): Typed<T> | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new KshotError(`algorithm option ${key}: expected a ${type}, got ${JSON.stringify(v)}`);
  return v as Typed<T>;
}

/** The option `key` if present, checked to be one of `choices`. */
export function storedChoice<C extends string>(o: StoredOptions, key: string, choices: readonly C[]): C | undefined {
  const v = storedField(o, key, "string");
  if (v !== undefined && !(choices as readonly string[]).includes(v)) {
    throw new KshotError(`algorithm option ${key}: expected ${choices.map((c) => JSON.stringify(c)).join(" or ")}, got ${JSON.stringify(v)}`);
  }
  return v as C | undefined;
}

export const storedLoss = (o: StoredOptions): LossKind | undefined => storedChoice(o, "loss", ["cross_entropy", "mse"] as const);
