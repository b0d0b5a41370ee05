/**
 * What `import { describe, it, expect } from "vitest"` resolves to in Deno (deno.json's import map) and in
 * the browser bundle (an esbuild alias). Node runs the real vitest. The supported subset is listed in
 * test/README.md; anything else is a missing export, which fails loudly at import.
 */
import { registry } from "./default-registry.ts";

export { AssertionError, expect } from "./expect.ts";
export type { TestContext } from "./registry.ts";

export const describe = registry.describe;
export const it = registry.it;
export const test = registry.test;
export const beforeAll = registry.beforeAll;
export const afterAll = registry.afterAll;
export const beforeEach = registry.beforeEach;
export const afterEach = registry.afterEach;
