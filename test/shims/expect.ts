/**
 * `expect` for Deno and the browser: the subset of vitest's matchers this project's tests use, with the
 * same semantics (see test/README.md for the list). Every matcher can fail and `.not` inverts it;
 * `.resolves` / `.rejects` await a promise first and return a promise.
 */
import { findDifference, findObjectMismatch } from "./equality.ts";
import { formatValue as show } from "./format.ts";

export class AssertionError extends Error {
  override name = "AssertionError";
}

/** Whether the received value is the value itself, or the reason a promise rejected with (`.rejects`). */
type Source = "value" | "rejection";

interface Check {
  pass: boolean;
  /** The expectation in words, given whether it was negated: "expected 3 to be 4". */
  message: (negated: boolean) => string;
}

// biome-ignore lint/suspicious/noExplicitAny: each matcher takes its own arguments; the table holds them all.
type Matcher = (received: unknown, source: Source, ...args: any[]) => Check;

const not = (negated: boolean) => (negated ? "not " : "");

/** Marks a matcher without an expected value (so `toBe(undefined)` still prints "undefined"). */
const NONE = Symbol("none");

function verdict(pass: boolean, received: unknown, words: string, expected: unknown, detail = ""): Check {
  const tail = expected === NONE ? "" : ` ${show(expected)}`;
  return { pass, message: (n) => `expected ${show(received)} ${not(n)}${words}${tail}${detail && !n ? ` (${detail})` : ""}` };
}

function requireNumber(value: unknown, matcher: string): number | bigint {
  if (typeof value !== "number" && typeof value !== "bigint") {
    throw new AssertionError(`${matcher} expects a number or bigint, received ${show(value)}`);
  }
  return value;
}

function compareNumbers(words: string, holds: (a: number | bigint, b: number | bigint) => boolean, name: string): Matcher {
  return (received, _s, expected: number | bigint) => {
    const a = requireNumber(received, name);
    const b = requireNumber(expected, name);
    return verdict(holds(a, b), a, words, b);
  };
}

function deepEqual(mode: "loose" | "strict", words: string): Matcher {
  return (received, _s, expected) => {
    const difference = findDifference(received, expected, mode);
    return verdict(difference === undefined, received, words, expected, difference);
  };
}

interface Thrown {
  threw: boolean;
  error?: unknown;
}

function capture(received: unknown, source: Source): Thrown {
  if (source === "rejection") return { threw: true, error: received };
  if (typeof received !== "function") throw new AssertionError(`toThrow expects a function, received ${show(received)}`);
  try {
    (received as () => unknown)();
    return { threw: false };
  } catch (error) {
    return { threw: true, error };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === "string" ? error : String(error);
}

/** vitest's toThrow: any throw, a substring of the message, a RegExp, an Error class, or an Error's message. */
function throwMatches(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (typeof expected === "string") return messageOf(error).includes(expected);
  if (expected instanceof RegExp) return expected.test(messageOf(error));
  if (typeof expected === "function") return error instanceof (expected as new () => unknown);
  if (expected instanceof Error) return messageOf(error) === expected.message;
  throw new AssertionError(`toThrow expects a string, RegExp, Error class or Error, received ${show(expected)}`);
}

/** Two classes of one name: in the browser, src/index.ts is the `kshot` global while a module imported directly is bundled. */
function sameNameHint(error: unknown, expected: unknown): string {
  const name = (error as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (typeof expected !== "function" || name !== expected.name || error instanceof expected) return "";
  return `another copy of class ${name}: take it from the same import as the code under test,` +
    ` e.g. ks.${name} for ks.* calls; in the browser src/index.ts is the global \`kshot\` bundle`;
}

const toThrow: Matcher = (received, source, expected?: unknown) => {
  const t = capture(received, source);
  const wanted = expected === undefined ? "" : ` matching ${typeof expected === "function" ? (expected as { name: string }).name : show(expected)}`;
  const pass = t.threw && throwMatches(t.error, expected);
  const what = source === "rejection" ? "promise rejection" : "function";
  return {
    pass,
    message: (n) => {
      if (!t.threw) return `expected ${what} to throw${wanted}, it did not throw`;
      const hint = sameNameHint(t.error, expected);
      return `expected ${what} ${not(n)}to throw${wanted}, it threw ${show(t.error)}${hint ? ` (${hint})` : ""}`;
    },
  };
};

function isIterable(v: unknown): v is Iterable<unknown> {
  return v != null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

function items(received: unknown, matcher: string): unknown[] {
  if (!isIterable(received)) throw new AssertionError(`${matcher} expects a string or an iterable, received ${show(received)}`);
  return Array.from(received);
}

function propertyPath(path: string | readonly (string | number)[]): (string | number)[] {
  if (typeof path !== "string") return [...path];
  return path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
}

const MATCHERS: Record<string, Matcher> = {
  toBe: (r, _s, e) => {
    const sameShape = !Object.is(r, e) && typeof r === "object" && findDifference(r, e, "strict") === undefined;
    return verdict(Object.is(r, e), r, "to be", e, sameShape ? "deeply equal but not the same object: use toEqual" : "");
  },
  toEqual: deepEqual("loose", "to deeply equal"),
  toStrictEqual: deepEqual("strict", "to strictly equal"),
  toBeCloseTo: (r, _s, e: number, digits = 2) => {
    const a = requireNumber(r, "toBeCloseTo") as number;
    const tolerance = 10 ** -digits / 2;
    const pass = (a === Infinity && e === Infinity) || (a === -Infinity && e === -Infinity) || Math.abs(e - a) < tolerance;
    return verdict(pass, a, `to be close to (within ${tolerance})`, e, `difference ${Math.abs(e - a)}`);
  },
  toThrow,
  toThrowError: toThrow,
  toBeGreaterThan: compareNumbers("to be greater than", (a, b) => a > b, "toBeGreaterThan"),
  toBeGreaterThanOrEqual: compareNumbers("to be greater than or equal to", (a, b) => a >= b, "toBeGreaterThanOrEqual"),
  toBeLessThan: compareNumbers("to be less than", (a, b) => a < b, "toBeLessThan"),
  toBeLessThanOrEqual: compareNumbers("to be less than or equal to", (a, b) => a <= b, "toBeLessThanOrEqual"),
  toMatch: (r, _s, pattern: string | RegExp) => {
    if (typeof r !== "string") throw new AssertionError(`toMatch expects a string, received ${show(r)}`);
    return verdict(typeof pattern === "string" ? r.includes(pattern) : pattern.test(r), r, "to match", pattern);
  },
  toContain: (r, _s, item) => {
    const pass = typeof r === "string" ? typeof item === "string" && r.includes(item) : items(r, "toContain").includes(item);
    return verdict(pass, r, "to contain", item);
  },
  toContainEqual: (r, _s, item) =>
    verdict(items(r, "toContainEqual").some((x) => findDifference(x, item, "loose") === undefined), r, "to contain an item equal to", item),
  toHaveLength: (r, _s, n: number) => {
    const length = (r as { length?: unknown } | null)?.length;
    if (typeof length !== "number") throw new AssertionError(`toHaveLength expects a value with a length, received ${show(r)}`);
    return verdict(length === n, r, "to have length", n, `length ${length}`);
  },
  toHaveProperty: (r, _s, path: string | (string | number)[], ...value: unknown[]) => {
    let at: unknown = r;
    let found = true;
    for (const key of propertyPath(path)) {
      if (at == null || !(key in Object(at))) { found = false; break; }
      at = (at as Record<string | number, unknown>)[key];
    }
    const pass = found && (value.length === 0 || findDifference(at, value[0], "loose") === undefined);
    const words = `to have property ${show(path)}${value.length ? ` equal to ${show(value[0])}` : ""}`;
    return verdict(pass, r, words, NONE, found ? `it is ${show(at)}` : "it is missing");
  },
  toMatchObject: (r, _s, pattern: object) => {
    const mismatch = findObjectMismatch(r, pattern);
    return verdict(mismatch === undefined, r, "to match object", pattern, mismatch);
  },
  toBeTruthy: (r) => verdict(Boolean(r), r, "to be truthy", NONE),
  toBeFalsy: (r) => verdict(!r, r, "to be falsy", NONE),
  toBeNull: (r) => verdict(r === null, r, "to be null", NONE),
  toBeUndefined: (r) => verdict(r === undefined, r, "to be undefined", NONE),
  toBeDefined: (r) => verdict(r !== undefined, r, "to be defined", NONE),
  toBeNaN: (r) => verdict(Number.isNaN(r), r, "to be NaN", NONE),
  toBeInstanceOf: (r, _s, cls: abstract new (...a: never[]) => unknown) =>
    verdict(r instanceof cls, r, `to be an instance of ${cls?.name ?? show(cls)}`, NONE, sameNameHint(r, cls)),
  toBeTypeOf: (r, _s, type: string) => verdict(typeof r === type, r, `to be of type ${type}`, NONE, `it is ${typeof r}`),
};

type MatcherName =
  | "toBe" | "toEqual" | "toStrictEqual" | "toBeCloseTo" | "toThrow" | "toThrowError" | "toBeGreaterThan"
  | "toBeGreaterThanOrEqual" | "toBeLessThan" | "toBeLessThanOrEqual" | "toMatch" | "toContain" | "toContainEqual"
  | "toHaveLength" | "toHaveProperty" | "toMatchObject" | "toBeTruthy" | "toBeFalsy" | "toBeNull" | "toBeUndefined"
  | "toBeDefined" | "toBeNaN" | "toBeInstanceOf" | "toBeTypeOf";

type Matchers<R> = {
  toBe(expected: unknown): R;
  toEqual(expected: unknown): R;
  toStrictEqual(expected: unknown): R;
  toBeCloseTo(expected: number, digits?: number): R;
  toThrow(expected?: string | RegExp | Error | (abstract new (...a: never[]) => unknown)): R;
  toThrowError(expected?: string | RegExp | Error | (abstract new (...a: never[]) => unknown)): R;
  toBeGreaterThan(n: number | bigint): R;
  toBeGreaterThanOrEqual(n: number | bigint): R;
  toBeLessThan(n: number | bigint): R;
  toBeLessThanOrEqual(n: number | bigint): R;
  toMatch(pattern: string | RegExp): R;
  toContain(item: unknown): R;
  toContainEqual(item: unknown): R;
  toHaveLength(n: number): R;
  toHaveProperty(path: string | (string | number)[], value?: unknown): R;
  toMatchObject(pattern: object): R;
  toBeTruthy(): R;
  toBeFalsy(): R;
  toBeNull(): R;
  toBeUndefined(): R;
  toBeDefined(): R;
  toBeNaN(): R;
  toBeInstanceOf(cls: abstract new (...a: never[]) => unknown): R;
  toBeTypeOf(type: "string" | "number" | "bigint" | "boolean" | "symbol" | "undefined" | "object" | "function"): R;
};

export type PromiseAssertion = Matchers<Promise<void>> & { not: Matchers<Promise<void>> };
export type Assertion = Matchers<void> & { not: Matchers<void>; resolves: PromiseAssertion; rejects: PromiseAssertion };

function run(name: MatcherName, received: unknown, source: Source, negated: boolean, label: string | undefined, args: unknown[]): void {
  const check = MATCHERS[name]!(received, source, ...args);
  if (check.pass === negated) {
    throw new AssertionError((label ? `${label}: ` : "") + check.message(negated));
  }
}

function syncMatchers(received: unknown, negated: boolean, label?: string): Matchers<void> {
  const out: Record<string, (...args: unknown[]) => void> = {};
  for (const name of Object.keys(MATCHERS) as MatcherName[]) {
    out[name] = (...args) => run(name, received, "value", negated, label, args);
  }
  return out as Matchers<void>;
}

function settle(promise: unknown, want: "resolve" | "reject", label?: string): Promise<unknown> {
  if (!(promise instanceof Promise) && typeof (promise as { then?: unknown })?.then !== "function") {
    throw new AssertionError(`${want === "resolve" ? "resolves" : "rejects"} expects a promise, received ${show(promise)}`);
  }
  const prefix = label ? `${label}: ` : "";
  return Promise.resolve(promise).then(
    (value) => {
      if (want === "reject") throw new AssertionError(`${prefix}expected promise to reject, it resolved with ${show(value)}`);
      return value;
    },
    (reason) => {
      if (want === "resolve") throw new AssertionError(`${prefix}expected promise to resolve, it rejected with ${show(reason)}`);
      return reason;
    },
  );
}

function asyncMatchers(promise: unknown, want: "resolve" | "reject", negated: boolean, label?: string): Matchers<Promise<void>> {
  const out: Record<string, (...args: unknown[]) => Promise<void>> = {};
  const source: Source = want === "reject" ? "rejection" : "value";
  for (const name of Object.keys(MATCHERS) as MatcherName[]) {
    out[name] = async (...args) => run(name, await settle(promise, want, label), source, negated, label, args);
  }
  return out as Matchers<Promise<void>>;
}

function promiseAssertion(promise: unknown, want: "resolve" | "reject", label?: string): PromiseAssertion {
  return Object.assign(asyncMatchers(promise, want, false, label), { not: asyncMatchers(promise, want, true, label) });
}

/** `expect(value, label?)`: the label prefixes failure messages, as in vitest. */
export function expect(received: unknown, label?: string): Assertion {
  const assertion = syncMatchers(received, false, label) as Assertion;
  Object.defineProperties(assertion, {
    not: { get: () => syncMatchers(received, true, label) },
    resolves: { get: () => promiseAssertion(received, "resolve", label) },
    rejects: { get: () => promiseAssertion(received, "reject", label) },
  });
  return assertion;
}
