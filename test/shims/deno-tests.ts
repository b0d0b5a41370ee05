/**
 * Under `deno test`, each shim test becomes one `Deno.test` at the moment it is registered, so Deno's own
 * reporter prints it, times it and counts it. The runner still supplies the hooks and timeouts.
 */
import type { Registry, Suite, TestCase } from "./registry.ts";
import { fullName, type Run } from "./runner.ts";

/** The slice of Deno's test API used here (the shim does not depend on Deno's type definitions). */
export interface DenoTestApi {
  test(definition: {
    name: string;
    fn: () => Promise<void>;
    ignore?: boolean;
    only?: boolean;
    sanitizeOps?: boolean;
    sanitizeResources?: boolean;
  }): void;
}

/** Modes of the test and of every suite around it; all known when the test is registered. */
function modes(test: TestCase): string[] {
  const out: string[] = [test.mode];
  for (let s: Suite | undefined = test.suite; s; s = s.parent) out.push(s.mode);
  return out;
}

export function registerWithDeno(registry: Registry, run: Run, deno: DenoTestApi): void {
  registry.onTest = (test) => {
    const m = modes(test);
    deno.test({
      name: fullName(test),
      ignore: m.includes("skip") || m.includes("todo"),
      only: m.includes("only"),
      // Backends keep devices, workers and timers alive on purpose; leaks are checked by kshot's own counters.
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const result = await run.runTest(test);
        if (result.status === "failed") throw result.error;
        if (result.status === "skipped") console.log(`skipped${result.note ? `: ${result.note}` : ""}`);
      },
    });
  };
}
