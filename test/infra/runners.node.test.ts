// The runner machinery that lives in Node: the test page's server, the bundler's mapping of src/index.ts
// to the global `kshot`, source-mapped stacks, test discovery and the count lines test-all.mjs parses.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kshotTestPlugin, stateCopyWarnings } from "../browser/bundle.mjs";
import { chromiumArgs } from "../browser/chromium.mjs";
import { insideDir, startTestServer } from "../browser/server.mjs";
import { decodeMappings, decodeSegment, originalPosition, stackMapper } from "../browser/source-maps.mjs";
import { countsLine, parseCountsLine, parseDenoSummary, parseUnavailable, parseVitestJson, testJobs } from "../shims/summary.mjs";
import { isNodeOnly, portableTestFiles } from "../shims/test-files.mjs";

const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so paths reach the server exactly as written (no client-side normalisation). */
function get(origin: string, path: string, method = "GET"): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request(`${origin}${path}`, { method }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe("test page server", () => {
  let dir: string;
  let server: { origin: string; close(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kshot-server-test-"));
    mkdirSync(join(dir, "repo", "dist"), { recursive: true });
    mkdirSync(join(dir, "shared", "fixtures"), { recursive: true });
    writeFileSync(join(dir, "repo", "dist", "kshot.js"), "var kshot = {};");
    writeFileSync(join(dir, "shared", "fixtures", "a b.bin"), new Uint8Array([1, 2, 3]));
    writeFileSync(join(dir, "secret.txt"), "outside");
    const bundles = new Map([["test/x.test.js", new TextEncoder().encode("export {};")]]);
    server = await startTestServer({ root: join(dir, "repo"), sharedDir: join(dir, "shared"), bundles });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the repository, the shared folder and bundles, cross-origin isolated", async () => {
    const script = await get(server.origin, "/dist/kshot.js");
    expect(script.status).toBe(200);
    expect(script.body).toBe("var kshot = {};");
    expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(script.headers["cross-origin-opener-policy"]).toBe("same-origin");
    expect(script.headers["cross-origin-embedder-policy"]).toBe("require-corp");
    const fixture = await get(server.origin, "/@shared/fixtures/a%20b.bin");
    expect(fixture.status).toBe(200);
    expect(fixture.body).toBe("\u0001\u0002\u0003");
    const bundle = await get(server.origin, "/@bundle/test/x.test.js");
    expect(bundle.body).toBe("export {};");
    expect(bundle.headers["cross-origin-embedder-policy"]).toBe("require-corp");
  });

  it("answers HEAD without a body, 404 for what is missing, 405 for other methods", async () => {
    const head = await get(server.origin, "/@shared/fixtures/a%20b.bin", "HEAD");
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([200, "", "3"]);
    expect((await get(server.origin, "/@shared/fixtures/none.bin")).status).toBe(404);
    expect((await get(server.origin, "/@bundle/none.js")).status).toBe(404);
    expect((await get(server.origin, "/dist")).status).toBe(404);
    expect((await get(server.origin, "/dist/kshot.js", "POST")).status).toBe(405);
  });

  it("never serves files outside the served folders", async () => {
    for (const path of ["/..%2Fsecret.txt", "/@shared/..%2F..%2Fsecret.txt", "/%2E%2E%2Fsecret.txt", "/..%5Csecret.txt"]) {
      const reply = await get(server.origin, path);
      expect(reply.body, path).not.toBe("outside");
      expect([403, 404], path).toContain(reply.status);
    }
    expect(insideDir("/a/b", "../c")).toBeUndefined();
    expect(insideDir("/a/b", "/etc/passwd")).toBe("/a/b/etc/passwd");
    expect(insideDir("/a/b", "c/../d")).toBe("/a/b/d");
  });
});

describe("test bundles", () => {
  async function bundle(source: string): Promise<string> {
    const result = await esbuild.build({
      stdin: { contents: source, resolveDir: join(root, "test", "infra"), loader: "ts" },
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      logLevel: "silent",
      plugins: [kshotTestPlugin(root)],
    });
    return result.outputFiles[0]!.text;
  }

  async function evaluate(code: string): Promise<Record<string, unknown>> {
    return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  }

  it("turn imports of src/index.ts into the page's global kshot, and vitest into the shim", async () => {
    const code = await bundle(`
      import * as ks from "../../src/index.ts";
      import { init } from "../../src/index.ts";
      import { describe } from "vitest";
      export const namespace = ks, named = init, shimDescribe = describe;`);
    expect(code).not.toMatch(/^\/\/ src\//m); // no library module was bundled
    expect(code).toMatch(/^\/\/ test\/shims\/vitest\.ts$/m);
    const g = globalThis as { kshot?: unknown };
    const fake = { init: () => "fake init", marker: 42 };
    g.kshot = fake;
    try {
      const mod = await evaluate(code);
      expect((mod.namespace as typeof fake).marker).toBe(42);
      expect((mod.named as () => string)()).toBe("fake init");
      expect(mod.shimDescribe).toBeTypeOf("function");
    } finally {
      delete g.kshot;
    }
  });

  it("fail with a clear message when dist/kshot.js did not load", async () => {
    const code = await bundle(`import * as ks from "../../src/index.ts"; export const k = ks;`);
    await expect(evaluate(code)).rejects.toThrow(/global `kshot` is missing/);
  });

  it("warn about a test that bundles its own copy of the engine, naming the direct import", () => {
    const edge = (path: string) => ({ path, kind: "import-statement" });
    const metafile = {
      inputs: {
        "test/a.test.ts": { imports: [edge("kshot-global:kshot"), edge("test/support/h.ts"), edge("src/rng.ts")] },
        "test/support/h.ts": { imports: [edge("src/optim/adam.ts")] },
        "src/optim/adam.ts": { imports: [edge("src/tensor.ts")] },
        "src/tensor.ts": { imports: [edge("src/engine.ts")] },
        "src/engine.ts": { imports: [] },
        "src/rng.ts": { imports: [] },
        "test/b.test.ts": { imports: [edge("kshot-global:kshot"), edge("src/rng.ts")] },
      },
    };
    const warnings: Map<string, string> = stateCopyWarnings(metafile, ["test/a.test.ts", "test/b.test.ts"]);
    expect([...warnings.keys()]).toEqual(["test/a.test.ts"]);
    expect(warnings.get("test/a.test.ts")).toMatch(/second copy of src\/engine\.ts through src\/optim\/adam\.ts,/);
  });

  it("leave other src modules bundled as they are", async () => {
    const code = await bundle(`export { KshotError } from "../../src/errors.ts";`);
    expect(code).toMatch(/^\/\/ src\/errors\.ts$/m);
  });
});

describe("source-mapped stacks", () => {
  it("decode VLQ segments and mappings", () => {
    expect(decodeSegment("AAAA")).toEqual([0, 0, 0, 0]);
    expect(decodeSegment("gBAAD")).toEqual([16, 0, 0, -1]);
    expect(decodeSegment("2HwBAAE")).toEqual([123, 24, 0, 0, 2]);
    expect(() => decodeSegment("A!")).toThrow(/bad VLQ digit/);
    const lines = decodeMappings("AAAA,IAAI;AACA");
    expect(lines).toEqual([[[0, 0, 0, 0], [4, 0, 0, 4]], [[0, 0, 1, 4]]]);
    const map = { lines, sources: ["a.ts"] };
    expect(originalPosition(map, 1, 6)).toEqual({ source: "a.ts", line: 1, column: 5 });
    expect(originalPosition(map, 2, 1)).toEqual({ source: "a.ts", line: 2, column: 5 });
    expect(originalPosition(map, 3, 1)).toBeUndefined();
  });

  it("name the TypeScript source and drop the shim's frames", async () => {
    const outdir = join(root, "test-artifacts", "browser-bundle");
    const result = await esbuild.build({
      stdin: { contents: "\n\nexport function f() {\n  throw new Error('x');\n}\n", sourcefile: "test/io/sample.test.ts", resolveDir: root, loader: "ts" },
      outfile: join(outdir, "test/io/sample.test.js"),
      sourcemap: "external",
      write: false,
      format: "esm",
    });
    const served = new Map<string, Uint8Array>();
    for (const out of result.outputFiles) served.set(out.path.slice(outdir.length + 1), out.contents);
    const js = new TextDecoder().decode(served.get("test/io/sample.test.js"));
    const line = js.split("\n").findIndex((l) => l.includes("throw")) + 1;
    const column = js.split("\n")[line - 1]!.indexOf("throw") + 1;
    const stack = [
      "Error: x",
      `    at f (http://127.0.0.1:4000/@bundle/test/io/sample.test.js:${line}:${column})`,
      "    at async withTimeout (test/shims/runner.ts:66:12)",
      "    at async http://127.0.0.1:4000/@bundle/unknown.js:1:1",
    ].join("\n");
    expect(stackMapper(root, outdir, served)(stack)).toBe([
      "Error: x",
      "    at f (test/io/sample.test.ts:4:3)",
      "    at async http://127.0.0.1:4000/@bundle/unknown.js:1:1",
    ].join("\n"));
  });
});

describe("test discovery", () => {
  it("leaves *.node.test.ts files to Node and applies path filters", () => {
    const files: string[] = portableTestFiles(root);
    expect(files).toContain("test/infra/shim.test.ts");
    expect(files).not.toContain("test/infra/runners.node.test.ts");
    expect(files.every((f) => f.startsWith("test/") && f.endsWith(".test.ts") && !isNodeOnly(f))).toBe(true);
    expect(portableTestFiles(root, ["test/infra/shim"])).toEqual(["test/infra/shim-runner.test.ts", "test/infra/shim.test.ts"]);
    expect(isNodeOnly("test/x.node.test.ts")).toBe(true);
  });
});

describe("runner summaries", () => {
  it("read the last line's counts and nothing else", () => {
    expect(parseCountsLine("x\n3 passed, 1 failed\n")).toEqual({ passed: 3, failed: 1 });
    expect(parseCountsLine("3 passed, 1 failed\nmore output")).toBeUndefined();
    expect(countsLine({ passed: 2, failed: 0 })).toBe("2 passed, 0 failed");
    expect(parseUnavailable("a\nruntime unavailable: no Chromium\n0 passed, 0 failed")).toBe("no Chromium");
    expect(parseUnavailable("0 passed, 0 failed")).toBeUndefined();
  });

  it("read deno test's summary, with colours, steps and ignored tests", () => {
    const out = "running 3 tests\n\u001b[31mFAILED\u001b[0m | 12 passed (3 steps) | 2 failed | 4 ignored \u001b[38;5;245m(1s)\u001b[0m\n";
    expect(parseDenoSummary(out)).toEqual({ passed: 12, failed: 2, skipped: 4 });
    expect(parseDenoSummary("ok | 5 passed | 0 failed (20ms)")).toEqual({ passed: 5, failed: 0, skipped: 0 });
    expect(parseDenoSummary("error: Module not found")).toBeUndefined();
  });

  it("run as many files at once as KSHOT_TEST_JOBS asks, else one per core up to 2", () => {
    expect(testJobs({ KSHOT_TEST_JOBS: "3" }, 2)).toBe(3);
    expect(testJobs({}, 1)).toBe(1);
    expect(testJobs({}, 16)).toBe(2);
    expect(testJobs({ KSHOT_TEST_JOBS: "0" }, 16)).toBe(2);
    expect(testJobs({ KSHOT_TEST_JOBS: "many" }, 1)).toBe(1);
  });

  it("count a vitest file that failed outside its tests as one failure", () => {
    const report = {
      numPassedTests: 7,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 1,
      testResults: [
        { status: "failed", assertionResults: [{ status: "failed" }] },
        { status: "failed", assertionResults: [] },
        { status: "passed", assertionResults: [{ status: "passed" }] },
      ],
    };
    expect(parseVitestJson(report)).toEqual({ passed: 7, failed: 2, skipped: 3 });
  });
});

describe("chromium launch flags", () => {
  it("are the ones PLATFORM.md found to work here", () => {
    const args: string[] = chromiumArgs("/tmp/profile");
    for (const flag of ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--enable-unsafe-webgpu"]) {
      expect(args).toContain(flag);
    }
    expect(args).toContain("--user-data-dir=/tmp/profile");
  });
});
