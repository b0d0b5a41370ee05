// The same-results claim (docs/architecture.md, "Determinism"): with one seed, short MAML and ProtoNet
// runs on glyphs, on the wasm backend with the default `deterministic: true`, end with bit-identical
// parameters in Node, Deno and Chromium. This file runs in all three; each compares with the hashes Node
// wrote into expected-hashes.ts (scripts/update-determinism.mjs; read its header before regenerating).
import { beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { currentRuntime } from "../../src/io/files-host.ts";
import { EXPECTED } from "./expected-hashes.ts";
import { RUNS } from "./training-runs.ts";

describe("training on wasm (deterministic: true) is bit-identical in Node, Deno and Chromium", () => {
  // Every test file has its own isolate (vitest forks, Deno) or page (Chromium), so switching the backend
  // here touches no other file. No `deterministic` option: the default is what is claimed.
  beforeAll(async () => {
    await ks.init({ backend: "wasm" });
  });

  for (const run of RUNS) {
    it(`${run.name}: ${run.description}`, async () => {
      const expected = EXPECTED[run.name];
      expect(expected, `expected-hashes.ts has no entry "${run.name}": run scripts/update-determinism.mjs`).toBeDefined();
      const result = await run.run();
      const where = `${run.name} in ${currentRuntime()}`;

      // Not a frozen model: the loss moved and the parameters changed.
      expect(result.losses).toHaveLength(20);
      expect(result.losses.every(Number.isFinite), `${where}: finite losses`).toBe(true);
      expect(result.losses.at(-1), `${where}: loss after training`).not.toBe(result.losses[0]);
      expect(result.finalHash, `${where}: parameters changed by training`).not.toBe(result.initialHash);

      // Bit-identical: the initialisation, every iteration's loss (names the first iteration that differs), the parameters.
      expect(result.initialHash, `${where}: initial parameters`).toBe(expected!.initialHash);
      expect(result.losses, `${where}: loss at each iteration`).toEqual(expected!.losses);
      expect(result.finalHash, `${where}: parameters after ${result.losses.length} iterations`).toBe(expected!.finalHash);
    });
  }
});
