import { defineConfig } from "vitest/config";

export default defineConfig({
  // src/ imports its npm packages as `npm:NAME@VERSION` (for Deno): the installed package NAME here.
  resolve: { alias: [{ find: /^npm:((?:@[^/@]+\/)?[^/@]+)@[^/]+/, replacement: "$1" }] },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
