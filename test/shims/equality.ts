/**
 * Deep equality with vitest's semantics: `toEqual` (primitives by Object.is, so NaN equals NaN and 0 does
 * not equal -0; properties whose value is undefined are ignored; typed arrays must have the same type) and
 * `toStrictEqual` (also compares prototypes and undefined properties). Instead of a boolean it returns where
 * the first difference is, so a failure on a 10 000-element Float32Array names the index.
 */
import { formatValue } from "./format.ts";

export type EqualityMode = "loose" | "strict";

/** Undefined when `a` and `b` are deeply equal; otherwise a description of the first difference. */
export function findDifference(a: unknown, b: unknown, mode: EqualityMode): string | undefined {
  return compare(a, b, mode, "", []);
}

type Seen = [unknown, unknown][];

function mismatch(path: string, a: unknown, b: unknown, what = ""): string {
  const where = path === "" ? "" : `at ${path}: `;
  return `${where}${what}${formatValue(a)} vs ${formatValue(b)}`;
}

function tag(v: unknown): string {
  return Object.prototype.toString.call(v);
}

function compare(a: unknown, b: unknown, mode: EqualityMode, path: string, seen: Seen): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return mismatch(path, a, b);
  if (a instanceof Error && b instanceof Error && (mode === "loose" || a.constructor === b.constructor)) {
    return a.name === b.name && a.message === b.message ? undefined : mismatch(path, a, b);
  }
  if (tag(a) !== tag(b)) return mismatch(path, a, b, "different types: ");
  if (mode === "strict" && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    return mismatch(path, a, b, "different prototypes: ");
  }
  // A cycle that reaches the same pair again is equal as far as this pair is concerned.
  if (seen.some(([x, y]) => x === a && y === b)) return undefined;
  seen.push([a, b]);
  try {
    return compareObjects(a, b, mode, path, seen);
  } finally {
    seen.pop();
  }
}

function compareObjects(a: object, b: object, mode: EqualityMode, path: string, seen: Seen): string | undefined {
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime()) ? undefined : mismatch(path, a, b);
  if (a instanceof RegExp) return String(a) === String(b) ? undefined : mismatch(path, a, b);
  if (a instanceof ArrayBuffer) return compareSequences(new Uint8Array(a), new Uint8Array(b as ArrayBuffer), mode, path, seen);
  if (a instanceof DataView) {
    const bv = b as DataView;
    return compareSequences(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(bv.buffer, bv.byteOffset, bv.byteLength), mode, path, seen);
  }
  if (ArrayBuffer.isView(a)) return compareSequences(a as unknown as ArrayLike<unknown>, b as unknown as ArrayLike<unknown>, mode, path, seen);
  if (Array.isArray(a)) {
    return compareSequences(a, b as unknown[], mode, path, seen) ?? compareKeys(a, b, mode, path, seen, (k) => !isIndex(k));
  }
  if (a instanceof Map) return compareMaps(a, b as Map<unknown, unknown>, mode, path, seen);
  if (a instanceof Set) return compareSets(a, b as Set<unknown>, mode, path);
  return compareKeys(a, b, mode, path, seen, () => true);
}

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

function compareSequences(a: ArrayLike<unknown>, b: ArrayLike<unknown>, mode: EqualityMode, path: string, seen: Seen): string | undefined {
  if (a.length !== b.length) return `${path === "" ? "" : `at ${path}: `}length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const d = compare(a[i], b[i], mode, `${path}[${i}]`, seen);
    if (d !== undefined) return d;
  }
  return undefined;
}

function compareKeys(a: object, b: object, mode: EqualityMode, path: string, seen: Seen, include: (k: string) => boolean): string | undefined {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const counted = (r: Record<string, unknown>) =>
    Object.keys(r).filter((k) => include(k) && (mode === "strict" || r[k] !== undefined));
  const ka = counted(ra);
  const kb = counted(rb);
  for (const k of ka) {
    if (!Object.hasOwn(rb, k) && !(mode === "loose" && ra[k] === undefined)) return `at ${path}.${k}: missing on the right`;
    const d = compare(ra[k], rb[k], mode, `${path}.${k}`, seen);
    if (d !== undefined) return d;
  }
  for (const k of kb) if (!ka.includes(k)) return `at ${path}.${k}: missing on the left`;
  return undefined;
}

function compareMaps(a: Map<unknown, unknown>, b: Map<unknown, unknown>, mode: EqualityMode, path: string, seen: Seen): string | undefined {
  if (a.size !== b.size) return mismatch(path, a, b, "different sizes: ");
  for (const [k, v] of a) {
    if (!b.has(k)) return `at ${path}.get(${formatValue(k)}): missing on the right`;
    const d = compare(v, b.get(k), mode, `${path}.get(${formatValue(k)})`, seen);
    if (d !== undefined) return d;
  }
  return undefined;
}

function compareSets(a: Set<unknown>, b: Set<unknown>, mode: EqualityMode, path: string): string | undefined {
  if (a.size !== b.size) return mismatch(path, a, b, "different sizes: ");
  for (const v of a) {
    if (b.has(v)) continue;
    if (![...b].some((w) => findDifference(v, w, mode) === undefined)) return mismatch(path, a, b);
  }
  return undefined;
}

/** Whether `actual` contains everything in `pattern` (objects recursively, arrays element by element). */
export function findObjectMismatch(actual: unknown, pattern: unknown, path = ""): string | undefined {
  if (typeof pattern !== "object" || pattern === null || typeof actual !== "object" || actual === null) {
    return findDifference(actual, pattern, "loose") === undefined ? undefined : mismatch(path, actual, pattern);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual) || actual.length !== pattern.length) return mismatch(path, actual, pattern);
    for (let i = 0; i < pattern.length; i++) {
      const d = findObjectMismatch(actual[i], pattern[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (Object.getPrototypeOf(pattern) !== Object.prototype) {
    return findDifference(actual, pattern, "loose") === undefined ? undefined : mismatch(path, actual, pattern);
  }
  for (const [k, v] of Object.entries(pattern)) {
    if (!(k in actual)) return `at ${path}.${k}: missing`;
    const d = findObjectMismatch((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
