/**
 * The collection half of the vitest shim: `describe` / `it` / hooks build a tree of suites and tests while
 * test modules evaluate. Running the tree is runner.ts's job. A registry is a plain object, so tests of the
 * shim can build their own beside the default one.
 */

/** The context a test function receives; `skip()` ends the test as skipped, as in vitest. */
export interface TestContext {
  readonly name: string;
  skip(note?: string): never;
  skip(condition: boolean, note?: string): void;
}

export type TestFn = (context: TestContext) => unknown;
/** A hook may return a cleanup function, run where the matching after-hook would run. */
export type HookFn = () => unknown;

export type Mode = "run" | "skip" | "only" | "todo";

export interface Hooks {
  beforeAll: HookFn[];
  afterAll: HookFn[];
  beforeEach: HookFn[];
  afterEach: HookFn[];
}

export interface Suite {
  kind: "suite";
  name: string;
  parent: Suite | undefined;
  mode: Mode;
  children: (Suite | TestCase)[];
  hooks: Hooks;
}

export interface TestCase {
  kind: "test";
  name: string;
  suite: Suite;
  mode: Mode;
  fn: TestFn;
  /** Milliseconds before the test fails as timed out. */
  timeout: number;
}

export interface TestOptions {
  timeout?: number;
  skip?: boolean;
  only?: boolean;
  todo?: boolean;
}

type Body<F> = F | undefined;
type Register<F> = (name: string, a?: F | TestOptions | number, b?: F | TestOptions | number) => void;

export interface TestApi extends Register<TestFn> {
  skip: Register<TestFn>;
  only: Register<TestFn>;
  todo: (name: string) => void;
  skipIf(condition: unknown): Register<TestFn>;
  runIf(condition: unknown): Register<TestFn>;
}

export interface DescribeApi extends Register<() => void> {
  skip: Register<() => void>;
  only: Register<() => void>;
  todo: (name: string) => void;
  skipIf(condition: unknown): Register<() => void>;
  runIf(condition: unknown): Register<() => void>;
}

export interface Registry {
  readonly root: Suite;
  describe: DescribeApi;
  it: TestApi;
  test: TestApi;
  beforeAll(fn: HookFn): void;
  afterAll(fn: HookFn): void;
  beforeEach(fn: HookFn): void;
  afterEach(fn: HookFn): void;
  /** Called for each test as it is registered (Deno hands each to Deno.test at that moment). */
  onTest: ((test: TestCase) => void) | undefined;
}

export function newSuite(name: string, parent: Suite | undefined, mode: Mode): Suite {
  return { kind: "suite", name, parent, mode, children: [], hooks: { beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] } };
}

/** vitest accepts (name, fn), (name, fn, timeout | options) and (name, options, fn). */
function parseArgs<F>(a: unknown, b: unknown): { fn: Body<F>; options: TestOptions } {
  const [fn, opts] = typeof a === "function" ? [a, b] : [b, a];
  const options = typeof opts === "number" ? { timeout: opts } : ((opts as TestOptions | undefined) ?? {});
  return { fn: fn as Body<F>, options };
}

function modeOf(base: Mode, options: TestOptions): Mode {
  if (base === "todo" || options.todo) return "todo";
  if (base === "skip" || options.skip) return "skip";
  if (base === "only" || options.only) return "only";
  return "run";
}

export function createRegistry(defaultTimeout: number): Registry {
  const root = newSuite("", undefined, "run");
  let current = root;

  const registry: Registry = {
    root,
    onTest: undefined,
    describe: api<() => void>(addSuite),
    it: api<TestFn>(addTest),
    test: undefined as unknown as TestApi,
    beforeAll: (fn) => current.hooks.beforeAll.push(fn),
    afterAll: (fn) => current.hooks.afterAll.push(fn),
    beforeEach: (fn) => current.hooks.beforeEach.push(fn),
    afterEach: (fn) => current.hooks.afterEach.push(fn),
  };
  registry.test = registry.it;
  return registry;

  function addTest(name: string, mode: Mode, fn: Body<TestFn>, options: TestOptions): void {
    const test: TestCase = {
      kind: "test",
      name,
      suite: current,
      mode: fn ? mode : "todo",
      fn: fn ?? (() => undefined),
      timeout: options.timeout ?? defaultTimeout,
    };
    current.children.push(test);
    registry.onTest?.(test);
  }

  function addSuite(name: string, mode: Mode, fn: Body<() => void>): void {
    const suite = newSuite(name, current, fn ? mode : "todo");
    current.children.push(suite);
    const parent = current;
    current = suite;
    try {
      const result: unknown = fn?.();
      if (result instanceof Promise) {
        result.catch(() => undefined);
        throw new Error(`describe("${name}") returned a promise: describe callbacks must be synchronous here (register tests synchronously, await inside tests or hooks)`);
      }
    } catch (error) {
      // vitest fails the file when collection throws; here the failure becomes a test that reports it.
      addTest("(collecting this suite failed)", "run", () => { throw error; }, {});
    } finally {
      current = parent;
    }
  }
}

function api<F>(add: (name: string, mode: Mode, fn: Body<F>, options: TestOptions) => void) {
  const register = (base: Mode): Register<F> => (name, a, b) => {
    const { fn, options } = parseArgs<F>(a, b);
    add(name, modeOf(base, options), fn, options);
  };
  return Object.assign(register("run"), {
    skip: register("skip"),
    only: register("only"),
    todo: (name: string) => add(name, "todo", undefined, {}),
    skipIf: (condition: unknown) => register(condition ? "skip" : "run"),
    runIf: (condition: unknown) => register(condition ? "run" : "skip"),
  });
}
