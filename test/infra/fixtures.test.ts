// test/support/fixtures.ts and test/shims/env.ts in whichever runtime runs this file: files on disk in
// Node and Deno, HTTP from the test server in the browser; the same bytes either way.
import { describe, expect, it } from "vitest";
import { currentRuntime } from "../../src/io/files-host.ts";
import { getEnv } from "../shims/env.ts";
import { fixtureExists, fixturePath, readFixtureBytes, readFixtureText, sharedDir } from "../support/fixtures.ts";

const README = "fixtures/README.md";
const GOLDEN = "fixtures/torch/sinusoid_mlp_maml_1step.safetensors";

describe("shared fixtures", () => {
  it("locate the shared folder for this runtime", () => {
    const dir = sharedDir();
    if (currentRuntime() === "browser") expect(dir).toBe(`${location.origin}/@shared`);
    else expect(dir).toMatch(/^\/.*[^/]$/);
    expect(fixturePath(README)).toBe(`${dir}/${README}`);
  });

  it("read text and bytes of the shared fixtures", async (ctx) => {
    if (!(await fixtureExists(README))) {
      if (getEnv("CI")) throw new Error(`${fixturePath(README)} is missing`);
      ctx.skip(`no shared fixtures at ${sharedDir()}`);
    }
    expect(await readFixtureText(README)).toMatch(/^# Golden values from PyTorch/);
    const bytes = await readFixtureBytes(GOLDEN);
    // safetensors: an 8-byte little-endian header length, then a JSON object padded to 8 bytes.
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    expect(headerLength).toBeLessThan(bytes.length);
    expect(String.fromCharCode(bytes[8]!)).toBe("{");
    expect(bytes).toBeInstanceOf(Uint8Array);
  });

  it("report a missing fixture instead of returning nothing", async () => {
    expect(await fixtureExists("fixtures/no-such-file.bin")).toBe(false);
    await expect(readFixtureBytes("fixtures/no-such-file.bin")).rejects.toThrow(/no-such-file\.bin/);
  });
});

describe("getEnv", () => {
  it("returns undefined for a variable nobody set", () => {
    expect(getEnv("KSHOT_SURELY_NOT_SET_ANYWHERE")).toBeUndefined();
  });

  it("sees the variable the runner sets, naming this runtime", () => {
    const runner = getEnv("KSHOT_TEST_RUNNER");
    // scripts/test-*.mjs always set it (the browser's only way in is the page's query); a bare
    // `npx vitest run` or `deno test` does not.
    if (runner === undefined) expect(currentRuntime()).not.toBe("browser");
    else expect(runner).toBe(currentRuntime());
  });
});
