// tools/project-curves.mjs: the power-law projection of the Omniglot table's validation curves.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const TABLE = `# Results

## Omniglot reproductions

| model | machine, date | budget | 5w1s | 5w5s | validation curve | paper 5w1s / 5w5s |
| --- | --- | --- | --- | --- | --- | --- |
| ProtoNet 60w5s5q | B | 60 min, 2,000 episodes | 98.00% ± 0.29 | 99.50% ± 0.10 | 200: 80.0 @4, 2,000: 98.0 @40 | 98.8 / 99.7 |
| Matching Networks | C | 50 min, 300 it. of 4 episodes | 87.00% ± 0.74 | | 100: 90.0, 300: 89.0 | 98.1 / 98.9 |
| the same ProtoNet, 20-way | B | | 92.84% ± 0.25 | | | 96.0 / 98.9 |

## Next section

| ANIL | B | 10 min, 708 it. | 93% | | 1: 50, 2: 60 | |
`;

describe("tools/project-curves", () => {
  it("scales each test error by the validation curve's power law to the recipe's budget", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-project-"));
    try {
      writeFileSync(join(dir, "RESULTS.md"), TABLE);
      const out = execFileSync(process.execPath, ["tools/project-curves.mjs", join(dir, "RESULTS.md")], { encoding: "utf8" });
      const rows = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      // Error 20% → 2% over one decade: b = 1; ProtoNet's recipe runs 20,000 episodes, 10× the run's 2,000.
      expect(rows[0]).toMatchObject({ algorithm: "protonet", iterations: 2000, recipeIterations: 20000, exponent: 1, projectedOneShot: 99.8, projectedFiveShot: 100 });
      // A curve that fell is projected as flat, not extrapolated downwards.
      expect(rows[1]).toMatchObject({ algorithm: "matchingnet", iterations: 300, oneShot: 87 });
      expect(rows[1].projectedOneShot).toBeUndefined();
      expect(rows).toHaveLength(2); // no curve: no projection; other sections are not read
      expect(out).toMatch(/\| Matching Networks \| 300 \| 30,000 \| -0.09 \| 87% → flat curve \|/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
