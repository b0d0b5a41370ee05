import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SCRIPT_BUDGET, bundleSizes } from "../../scripts/bundle-sizes.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("bundle sizes (scripts/bundle-sizes.mjs)", () => {
  it(`keeps the <script> bundle within ${SCRIPT_BUDGET.gzipBytes / 1000} KB gzipped`, () => {
    expect(existsSync(`${root}/${SCRIPT_BUDGET.file}`), `${SCRIPT_BUDGET.file} (run npm run build)`).toBe(true);
    const script = bundleSizes(root).find((b: { file: string }) => b.file === SCRIPT_BUDGET.file);
    expect(script.gzipBytes).toBeGreaterThan(10_000); // a real bundle, not an empty file
    expect(script.gzipBytes).toBeLessThanOrEqual(SCRIPT_BUDGET.gzipBytes);
  });
});
