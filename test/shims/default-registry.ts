/**
 * The one registry that test files fill through `import { describe, it } from "vitest"` in Deno and the
 * browser, and the run over it. In Deno its tests are handed to Deno.test as they are registered.
 */
import { registerWithDeno, type DenoTestApi } from "./deno-tests.ts";
import { createRegistry } from "./registry.ts";
import { createRun } from "./runner.ts";

/** The same limits as vitest.config.ts (testTimeout, hookTimeout). */
export const TEST_TIMEOUT_MS = 120_000;

export const registry = createRegistry(TEST_TIMEOUT_MS);
export const run = createRun(registry.root, TEST_TIMEOUT_MS);

const deno = (globalThis as { Deno?: DenoTestApi }).Deno;
if (typeof deno?.test === "function") registerWithDeno(registry, run, deno);
