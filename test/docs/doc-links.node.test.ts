// The docs describe the repository as it is: every file they cite exists, none names a path outside the
// repository, none cites a design document that is not in it, and none tells the history of the work.
// Product code (src/) names no path outside the repository either.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { citations, codeBlocks, joinPath } from "./markdown.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** The docs for users and contributors (test/README.md documents the test plumbing, which reads ../shared). */
const DOCS = ["README.md", "examples/README.md", "bench/RESULTS.md", "test/README.md",
  ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const PLUMBING_DOCS = new Set(["test/README.md"]);

/** Made by the build or by tests, so absent from a fresh clone. */
const GENERATED = ["dist/", "build/", "src/generated/", "docs/api/", "test-artifacts/"];

/** Words that tell how the work went rather than what the project is. */
const HISTORY: readonly RegExp[] = [
  /\bsessions?\b/i, /\bwork periods?\b/i, /\bissues? \d+/i, /\bcommit [0-9a-f]{7,}/i, /\([0-9a-f]{7,10}\)/,
  /\bslower machine\b/i, /\bbefore threads\b/i, /\bthis machine\b/i, /DESIGN\.md/,
];

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(ext))
    .map((d) => relative(ROOT, join(d.parentPath, d.name)));
}

describe("docs cite what exists", () => {
  for (const doc of DOCS) {
    it(`${doc}: cited files exist and lie inside the repository`, () => {
      const problems: string[] = [];
      for (const c of citations(readFileSync(join(ROOT, doc), "utf8"), doc)) {
        if (c.path.startsWith("..")) {
          if (!PLUMBING_DOCS.has(doc)) problems.push(`${doc}:${c.line}: ${c.text} is outside the repository`);
        } else if (!GENERATED.some((g) => `${c.path}/`.startsWith(g)) && !existsSync(join(ROOT, c.path))) {
          problems.push(`${doc}:${c.line}: ${c.text} does not exist`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`${doc}: no history of the work`, () => {
      const lines = readFileSync(join(ROOT, doc), "utf8").split("\n");
      const problems = lines.flatMap((text, i) =>
        HISTORY.filter((re) => re.test(text)).map((re) => `${doc}:${i + 1}: ${re} in "${text.trim()}"`));
      expect(problems).toEqual([]);
    });
  }
});

describe("the README stays a user's page", () => {
  it("is at most 250 lines", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length).toBeLessThanOrEqual(250);
  });
});

describe("product code stands on its own", () => {
  it("src/ names no path outside the repository and no design document outside it", () => {
    const problems = filesUnder("src", ".ts").filter((f) => !f.startsWith("src/generated"))
      .filter((f) => /\.\.\/shared|DESIGN\.md/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(problems).toEqual([]);
  });

  it("the reproduction script cites no design document outside the repository and tells no history", () => {
    const text = readFileSync(join(ROOT, "scripts/reproduce-omniglot.sh"), "utf8");
    expect(HISTORY.filter((re) => re.test(text)).map(String)).toEqual([]);
  });
});

describe("the checks themselves", () => {
  it("find links, code paths, wildcards and escapes", () => {
    const md = "See [the guide](../docs/contributing.md#x), `src/index.ts`, `shaders/*.wgsl`, `../shared/x`, [web](https://x.org).";
    expect(citations(md, "examples/README.md").map((c) => c.path))
      .toEqual(["docs/contributing.md", "src/index.ts", "shaders", "../shared/x"]);
    expect(joinPath("docs", "../../x")).toBe("../x");
  });

  it("read fenced blocks and their skip annotation", () => {
    const md = "text\n<!-- test: skip (slow) -->\n\n```sh\nnpm start\n```\n```ts\nlet a = 1;\n```\n";
    expect(codeBlocks(md)).toEqual([
      { lang: "sh", code: "npm start\n", line: 4, skip: "slow" },
      { lang: "ts", code: "let a = 1;\n", line: 7 },
    ]);
    expect(() => codeBlocks("```js\nnever closed\n")).toThrow(/never closed/);
  });

  it("flag history words", () => {
    expect(HISTORY.some((re) => re.test("measured in session 3 (commit 41a4e14)"))).toBe(true);
    expect(HISTORY.some((re) => re.test("measured on machine D, 2026-12-05"))).toBe(false);
  });
});
