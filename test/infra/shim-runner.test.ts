// The shim's registry and runner (used by Deno and the browser): hook order, failures, timeouts, skips.
// Each test builds its own registry, so these run the same under vitest, Deno and Chromium.
import { describe, expect, it } from "vitest";
import { createRegistry, type Registry } from "../shims/registry.ts";
import { createRun, type TestResult } from "../shims/runner.ts";

function fresh(timeout = 1000): Registry {
  return createRegistry(timeout);
}

async function runAll(r: Registry, hookTimeout = 1000): Promise<TestResult[]> {
  return createRun(r.root, hookTimeout).runAll();
}

function summary(results: TestResult[]): string[] {
  return results.map((x) => `${x.status} ${x.name}${x.note ? ` (${x.note})` : ""}`);
}

function errorText(result: TestResult | undefined): string {
  return result?.error instanceof Error ? result.error.message : String(result?.error);
}

describe("shim runner", () => {
  it("runs hooks in vitest's order: before outer first, after inner first and reversed", async () => {
    const r = fresh();
    const log: string[] = [];
    r.beforeAll(() => void log.push("file beforeAll"));
    r.afterAll(() => void log.push("file afterAll"));
    r.beforeEach(() => void log.push("file beforeEach"));
    r.afterEach(() => void log.push("file afterEach"));
    r.describe("outer", () => {
      r.beforeAll(() => void log.push("outer beforeAll"));
      r.afterAll(() => void log.push("outer afterAll 1"));
      r.afterAll(() => void log.push("outer afterAll 2"));
      r.beforeEach(() => void log.push("outer beforeEach"));
      r.afterEach(() => void log.push("outer afterEach"));
      r.it("a", () => void log.push("a"));
      r.it("b", () => void log.push("b"));
    });
    r.it("c", () => void log.push("c"));
    const results = await runAll(r);
    expect(summary(results)).toEqual(["passed outer > a", "passed outer > b", "passed c"]);
    expect(log).toEqual([
      "file beforeAll", "outer beforeAll",
      "file beforeEach", "outer beforeEach", "a", "outer afterEach", "file afterEach",
      "file beforeEach", "outer beforeEach", "b", "outer afterEach", "file afterEach",
      "outer afterAll 2", "outer afterAll 1",
      "file beforeEach", "c", "file afterEach",
      "file afterAll",
    ]);
  });

  it("keeps going after a failure and reports the error", async () => {
    const r = fresh();
    r.it("fails", () => {
      throw new Error("expected 3, got 4");
    });
    r.it("rejects", async () => {
      await Promise.resolve();
      throw new TypeError("async failure");
    });
    r.it("passes", () => undefined);
    const results = await runAll(r);
    expect(summary(results)).toEqual(["failed fails", "failed rejects", "passed passes"]);
    expect(errorText(results[0])).toBe("expected 3, got 4");
    expect(results[1]?.error).toBeInstanceOf(TypeError);
    expect(results.every((x) => x.durationMs >= 0)).toBe(true);
  });

  it("fails a test that runs past its timeout, in each way of giving one", async () => {
    const r = fresh(5000);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    r.it("number", () => sleep(300), 20);
    r.it("options after", () => sleep(300), { timeout: 20 });
    r.it("options first", { timeout: 20 }, () => sleep(300));
    r.it("in time", () => sleep(1), 200);
    const results = await runAll(r);
    expect(summary(results)).toEqual(["failed number", "failed options after", "failed options first", "passed in time"]);
    expect(errorText(results[0])).toBe("test timed out after 20 ms");
  });

  it("skips .skip, .todo, skipIf(true) and runIf(false) without running them or their hooks", async () => {
    const r = fresh();
    const ran: string[] = [];
    r.describe.skip("skipped suite", () => {
      r.beforeAll(() => void ran.push("hook of skipped suite"));
      r.it("inner", () => void ran.push("inner"));
    });
    r.it.skip("skip", () => void ran.push("skip"));
    r.it.todo("todo");
    r.it.skipIf(true)("skipIf true", () => void ran.push("skipIf true"));
    r.it.skipIf(false)("skipIf false", () => void ran.push("skipIf false"));
    r.it.runIf(false)("runIf false", () => void ran.push("runIf false"));
    r.it("no body");
    const results = await runAll(r);
    expect(summary(results)).toEqual([
      "skipped skipped suite > inner", "skipped skip", "skipped todo (todo)", "skipped skipIf true",
      "passed skipIf false", "skipped runIf false", "skipped no body (todo)",
    ]);
    expect(ran).toEqual(["skipIf false"]);
  });

  it("runs only the .only tests and suites when there are any", async () => {
    const r = fresh();
    r.it("plain", () => undefined);
    // biome-ignore lint/suspicious/noFocusedTests: this tests the shim's `.only`.
    r.it.only("only test", () => undefined);
    // biome-ignore lint/suspicious/noFocusedTests: this tests the shim's `.only`.
    r.describe.only("only suite", () => {
      r.it("inside", () => undefined);
      r.it.skip("skipped inside", () => undefined);
    });
    const results = await runAll(r);
    expect(summary(results)).toEqual(["skipped plain", "passed only test", "passed only suite > inside", "skipped only suite > skipped inside"]);
  });

  it("fails every test of a suite whose beforeAll failed, still runs its afterAll, spares other suites", async () => {
    const r = fresh();
    const log: string[] = [];
    r.describe("broken", () => {
      r.beforeAll(() => {
        throw new Error("no device");
      });
      r.afterAll(() => void log.push("afterAll of broken"));
      r.it("x", () => void log.push("x"));
      r.it("y", () => void log.push("y"));
    });
    r.describe("fine", () => {
      r.it("z", () => void log.push("z"));
    });
    const results = await runAll(r);
    expect(summary(results)).toEqual(["failed broken > x", "failed broken > y", "passed fine > z"]);
    expect(errorText(results[0])).toBe('beforeAll of "broken" failed: no device');
    expect(log).toEqual(["afterAll of broken", "z"]);
  });

  it("fails a test whose afterEach or afterAll hook fails", async () => {
    const r = fresh();
    r.describe("each", () => {
      r.afterEach(() => {
        throw new Error("leaked 3 tensors");
      });
      r.it("t", () => undefined);
    });
    r.describe("all", () => {
      r.afterAll(() => {
        throw new Error("device lost");
      });
      r.it("u", () => undefined);
    });
    const results = await runAll(r);
    expect(summary(results)).toEqual(["failed each > t", "failed all > u"]);
    expect(errorText(results[0])).toBe("afterEach hook failed: leaked 3 tensors");
    expect(errorText(results[1])).toBe('afterAll of "all" failed: device lost');
  });

  it("fails a hook that runs past the hook timeout", async () => {
    const r = fresh();
    r.beforeEach(() => new Promise((resolve) => setTimeout(resolve, 300)));
    r.it("t", () => undefined);
    const results = await runAll(r, 20);
    expect(errorText(results[0])).toBe("beforeEach hook timed out after 20 ms");
  });

  it("runs cleanups returned by beforeAll and beforeEach", async () => {
    const r = fresh();
    const log: string[] = [];
    r.beforeAll(() => () => void log.push("all cleanup"));
    r.beforeEach(() => () => void log.push("each cleanup"));
    r.it("t1", () => void log.push("t1"));
    r.it("t2", () => void log.push("t2"));
    await runAll(r);
    expect(log).toEqual(["t1", "each cleanup", "t2", "each cleanup", "all cleanup"]);
  });

  it("lets a test skip itself through its context, with a note", async () => {
    const r = fresh();
    r.it("needs data", (ctx) => {
      ctx.skip("omniglot not found");
      throw new Error("unreachable");
    });
    r.it("conditional", (ctx) => {
      ctx.skip(false, "never");
      throw new Error("reached");
    });
    const results = await runAll(r);
    expect(summary(results)).toEqual(["skipped needs data (omniglot not found)", "failed conditional"]);
  });

  it("reports a describe callback that throws as a failing test", async () => {
    const r = fresh();
    r.describe("bad", () => {
      r.it("registered before the throw", () => undefined);
      throw new Error("cannot build cases");
    });
    r.it("after", () => undefined);
    const results = await runAll(r);
    expect(summary(results)).toEqual(["passed bad > registered before the throw", "failed bad > (collecting this suite failed)", "passed after"]);
    expect(errorText(results[1])).toBe("cannot build cases");
  });

  it("reports an async describe callback as a failure", async () => {
    const r = fresh();
    r.describe("async", async () => {
      await Promise.resolve();
    });
    const results = await runAll(r);
    expect(results[0]?.status).toBe("failed");
    expect(errorText(results[0])).toMatch(/describe callbacks must be synchronous/);
  });

  it("tells onTest about each test as it is registered", () => {
    const r = fresh();
    const seen: string[] = [];
    r.onTest = (t) => seen.push(`${t.suite.name}/${t.name}`);
    r.describe("s", () => r.test("a", () => undefined));
    r.it("b", () => undefined);
    expect(seen).toEqual(["s/a", "/b"]);
  });

  it("can run tests one by one, as Deno does", async () => {
    const r = fresh();
    const log: string[] = [];
    r.describe("s", () => {
      r.beforeAll(() => void log.push("setup"));
      r.afterAll(() => void log.push("teardown"));
      r.it("a", () => void log.push("a"));
      r.it("b", () => void log.push("b"));
    });
    const run = createRun(r.root, 1000);
    const [a, b] = run.tests;
    await run.runTest(a!);
    expect(log).toEqual(["setup", "a"]);
    await run.runTest(b!);
    expect(log).toEqual(["setup", "a", "b", "teardown"]);
  });
});
