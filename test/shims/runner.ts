/**
 * The running half of the vitest shim: runs a registry's tests one at a time, in registration order, with
 * vitest's hook semantics (beforeAll of a suite before its first test, afterAll after its last, before-hooks
 * outer first, after-hooks inner first and in reverse order, hook return values as cleanups) and timeouts.
 * Tests can be run one by one (Deno hands each to Deno.test) or all in a row (the browser page).
 */
import type { HookFn, Suite, TestCase, TestContext } from "./registry.ts";

export type Status = "passed" | "failed" | "skipped";

export interface TestResult {
  /** Suite names and the test name, joined by " > ". */
  name: string;
  status: Status;
  durationMs: number;
  /** What the test (or one of its hooks) threw, when it failed. */
  error?: unknown;
  /** Why it was skipped, when it says ("todo", or the note given to `context.skip`). */
  note?: string;
}

export interface Run {
  /** Every registered test, in order. */
  readonly tests: readonly TestCase[];
  /** Whether a test will run (not skipped, and selected by `.only` when any test or suite has it). */
  isRunnable(test: TestCase): boolean;
  /** Runs one test with its hooks; call in registration order. */
  runTest(test: TestCase): Promise<TestResult>;
  runAll(onResult?: (result: TestResult) => void): Promise<TestResult[]>;
}

class SkipSignal extends Error {
  constructor(readonly note: string | undefined) {
    super(note ?? "skipped");
  }
}

export function fullName(test: TestCase): string {
  return [...ancestors(test.suite).map((s) => s.name).filter((n) => n !== ""), test.name].join(" > ");
}

/** Root first. */
function ancestors(suite: Suite): Suite[] {
  const chain: Suite[] = [];
  for (let s: Suite | undefined = suite; s; s = s.parent) chain.unshift(s);
  return chain;
}

function collectTests(suite: Suite, out: TestCase[] = []): TestCase[] {
  for (const child of suite.children) {
    if (child.kind === "test") out.push(child);
    else collectTests(child, out);
  }
  return out;
}

/** Runs `fn`, failing after `ms` milliseconds (0 or Infinity: no limit). */
export async function withTimeout<T>(fn: () => T, ms: number, what: string): Promise<Awaited<T>> {
  const work = Promise.resolve().then(fn);
  if (!(ms > 0 && ms < Infinity)) return await work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error that says which hook failed, keeping the original's stack. */
function inHook(where: string, error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const wrapped = new Error(`${where}: ${original.message}`, { cause: error });
  wrapped.name = original.name;
  if (original.stack) wrapped.stack = `${where}: ${original.stack}`;
  return wrapped;
}

function context(test: TestCase): TestContext {
  return {
    name: test.name,
    skip(a?: string | boolean, note?: string): never {
      if (typeof a === "boolean") {
        if (!a) return undefined as never;
        throw new SkipSignal(note);
      }
      throw new SkipSignal(a);
    },
  } as TestContext;
}

export function createRun(root: Suite, hookTimeout: number): Run {
  const entered = new Set<Suite>();
  const setupErrors = new Map<Suite, Error>();
  const allCleanups = new Map<Suite, HookFn[]>();
  let plan: { runnable: Set<TestCase>; remaining: Map<Suite, number> } | undefined;

  // Computed on first use: Deno registers tests before the whole file has been collected.
  function planned() {
    if (plan) return plan;
    const all = collectTests(root);
    const chainModes = (t: TestCase) => [...ancestors(t.suite).map((s) => s.mode), t.mode];
    const onlyMode = all.some((t) => chainModes(t).includes("only"));
    const runnable = new Set(all.filter((t) => {
      const modes = chainModes(t);
      return !modes.includes("skip") && !modes.includes("todo") && (!onlyMode || modes.includes("only"));
    }));
    const remaining = new Map<Suite, number>();
    for (const t of runnable) for (const s of ancestors(t.suite)) remaining.set(s, (remaining.get(s) ?? 0) + 1);
    plan = { runnable, remaining };
    return plan;
  }

  async function enter(suite: Suite): Promise<void> {
    if (entered.has(suite)) return;
    entered.add(suite);
    const cleanups: HookFn[] = [];
    allCleanups.set(suite, cleanups);
    for (const hook of suite.hooks.beforeAll) {
      try {
        const cleanup = await withTimeout(hook, hookTimeout, "beforeAll hook");
        if (typeof cleanup === "function") cleanups.push(cleanup as HookFn);
      } catch (error) {
        setupErrors.set(suite, inHook(`beforeAll of ${label(suite)} failed`, error));
        return;
      }
    }
  }

  /** Runs after-hooks (inner first, each list in reverse); returns the first error. */
  async function runAfter(hooks: HookFn[], where: string): Promise<Error | undefined> {
    let first: Error | undefined;
    for (const hook of [...hooks].reverse()) {
      try {
        await withTimeout(hook, hookTimeout, where);
      } catch (error) {
        first ??= inHook(`${where} failed`, error);
      }
    }
    return first;
  }

  async function body(test: TestCase, chain: Suite[]): Promise<{ error?: unknown; note?: string; skipped?: true }> {
    const cleanups: HookFn[] = [];
    let outcome: { error?: unknown; note?: string; skipped?: true } = {};
    try {
      for (const suite of chain) {
        for (const hook of suite.hooks.beforeEach) {
          const cleanup = await withTimeout(hook, hookTimeout, "beforeEach hook");
          if (typeof cleanup === "function") cleanups.push(cleanup as HookFn);
        }
      }
      await withTimeout(() => test.fn(context(test)), test.timeout, "test");
    } catch (error) {
      outcome = error instanceof SkipSignal ? { skipped: true, note: error.note } : { error };
    }
    const afterErrors = [await runAfter(cleanups, "beforeEach cleanup")];
    for (const suite of [...chain].reverse()) afterErrors.push(await runAfter(suite.hooks.afterEach, "afterEach hook"));
    const afterError = afterErrors.find((e) => e !== undefined);
    if (afterError && outcome.error === undefined) outcome = { error: afterError };
    return outcome;
  }

  async function leave(chain: Suite[], remaining: Map<Suite, number>): Promise<Error | undefined> {
    let first: Error | undefined;
    for (const suite of [...chain].reverse()) {
      const left = (remaining.get(suite) ?? 0) - 1;
      remaining.set(suite, left);
      if (left !== 0) continue;
      first ??= await runAfter(allCleanups.get(suite) ?? [], `beforeAll cleanup of ${label(suite)}`);
      first ??= await runAfter(suite.hooks.afterAll, `afterAll of ${label(suite)}`);
    }
    return first;
  }

  async function runTest(test: TestCase): Promise<TestResult> {
    const name = fullName(test);
    const { runnable, remaining } = planned();
    if (!runnable.has(test)) return { name, status: "skipped", durationMs: 0, ...(test.mode === "todo" ? { note: "todo" } : {}) };
    const start = performance.now();
    const chain = ancestors(test.suite);
    for (const suite of chain) {
      await enter(suite);
      if (setupErrors.has(suite)) break;
    }
    const setupError = chain.map((s) => setupErrors.get(s)).find((e) => e !== undefined);
    const outcome = setupError ? { error: setupError } : await body(test, chain);
    const teardownError = await leave(chain, remaining);
    const error = outcome.error ?? teardownError;
    const durationMs = performance.now() - start;
    if (error !== undefined) return { name, status: "failed", durationMs, error };
    if ("skipped" in outcome) return { name, status: "skipped", durationMs, ...(outcome.note ? { note: outcome.note } : {}) };
    return { name, status: "passed", durationMs };
  }

  return {
    get tests() {
      return collectTests(root);
    },
    isRunnable: (test) => planned().runnable.has(test),
    runTest,
    async runAll(onResult) {
      const results: TestResult[] = [];
      for (const test of collectTests(root)) {
        const result = await runTest(test);
        onResult?.(result);
        results.push(result);
      }
      return results;
    },
  };
}

function label(suite: Suite): string {
  return suite.name === "" ? "the file" : `"${suite.name}"`;
}
