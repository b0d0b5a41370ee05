import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kshot, kshotWithEnv, scratch } from "./capture.ts";

const REF = ["--backend", "reference"];
/** A tiny, fast sinusoid run: MAML with 2 tasks per meta-batch. */
const SINE = ["--algo", "maml", "--dataset", "sinusoid", "--meta-batch", "2", ...REF];

describe("kshot info", () => {
  it("lists the backends, what auto picks and versions (--json: one object)", async () => {
    const r = await kshot("info", "--json");
    expect(r.code).toBe(0);
    const info = r.json();
    expect(info.backends).toContain("reference");
    expect(typeof info.auto).toBe("string");
    expect(info.kshot).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.node).toMatch(/^\d+\./);
    const wasm = info.wasm as { autoThreads: number; threadsUnavailable: string | null };
    expect(wasm.threadsUnavailable, "Node runs wasm threads").toBeNull();
    expect(wasm.autoThreads).toBeGreaterThanOrEqual(1);
    expect(wasm.autoThreads).toBeLessThanOrEqual(8);
  });
});

describe("kshot train and eval", () => {
  it("trains, writes the checkpoint, prints the JSON summary last; eval reads its defaults from it", async () => {
    const dir = scratch("sine");
    const out = join(dir, "sine.safetensors");
    const t = await kshot("train", ...SINE, "--iterations", "4", "--episodes", "10", "--out", out, "--json");
    expect(t.err.join("\n")).toContain("maml on sinusoid");
    expect(t.code).toBe(0);
    const summary = t.json();
    expect(summary).toMatchObject({ iterations: 4, out, algorithm: "maml", dataset: "sinusoid", backend: "reference" });
    expect(typeof summary.seconds).toBe("number");
    expect(typeof summary.loss).toBe("number");
    expect(existsSync(out)).toBe(true);

    const e = await kshot("eval", "--model", out, "--episodes", "20", ...REF, "--json");
    expect(e.code).toBe(0);
    const result = e.json();
    expect(Object.keys(result.mse as object)).toEqual(["1", "5", "10"]);
    expect(result).toMatchObject({ episodes: 20, shots: 10, algorithm: "maml", backend: "reference" });
    const steps3 = await kshot("eval", "--model", out, "--episodes", "5", "--inner-steps", "3", ...REF, "--json");
    expect(Object.keys(steps3.json().mse as object)).toEqual(["3"]);

    // Resume to a total of 6 iterations; the run keeps the checkpoint's settings.
    const more = await kshot("train", "--resume", out, "--iterations", "6", "--out", out, ...REF, "--json");
    expect(more.code).toBe(0);
    expect(more.json().iterations).toBe(6);
    const clash = await kshot("train", "--resume", out, "--algo", "reptile", "--iterations", "8", "--out", out, ...REF);
    expect(clash.code).toBe(1);
    expect(clash.err.join("\n")).toMatch(/--algo reptile conflicts with the checkpoint's maml/);
  });

  it("prints a human summary without --json, and tests the model with --eval", async () => {
    const dir = scratch("sine-eval");
    const r = await kshot("train", ...SINE, "--iterations", "2", "--out", join(dir, "m.safetensors"), "--eval", "--episodes", "30");
    expect(r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(/maml on sinusoid, reference backend: 2 iterations in/);
    expect(r.out.join("\n")).toMatch(/test: 10-shot sinusoid MSE .* after 1 step, .* after 5 steps, .* after 10 steps \(30 tasks\)/);
  });

  it("trains an image model on glyphs (tiny Conv-4)", async () => {
    const dir = scratch("glyphs");
    const out = join(dir, "g.safetensors");
    const r = await kshot("train", "--algo", "protonet", "--ways", "3", "--shots", "1", "--queries", "1", "--hidden", "2",
      "--iterations", "2", "--episodes", "3", "--out", out, ...REF, "--eval", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ iterations: 2, algorithm: "protonet", dataset: "glyphs", eval: { episodes: 3, ways: 5, shots: 1, queries: 15 } });
    expect(Object.keys(r.json().eval as object)).toEqual(["accuracy", "ci95", "episodes", "ways", "shots", "queries", "seconds"]);
    const e = await kshot("eval", "--model", out, "--episodes", "3", "--queries", "2", ...REF, "--json");
    expect(e.err.join("\n")).toMatch(/on glyphs glyphs test/);
    expect(e.code).toBe(0);
    const acc = e.json();
    expect(acc).toMatchObject({ episodes: 3, ways: 5, shots: 1, algorithm: "protonet" });
    expect(acc.accuracy as number).toBeGreaterThanOrEqual(0);
    expect(acc.accuracy as number).toBeLessThanOrEqual(1);
    expect(acc.ci95 as number).toBeGreaterThanOrEqual(0);
    const steps = await kshot("eval", "--model", out, "--inner-steps", "3", ...REF);
    expect(steps.code).toBe(1);
    expect(steps.err.join("\n")).toMatch(/protonet does not adapt by gradient steps/);
  });

  it("--threads: the wasm backend's threads change the speed, not the result", async () => {
    const dir = scratch("threads");
    // Conv-4 with 8 filters on 12 images: its convolutions and elementwise calls are large enough to split.
    const train = (threads: number) => kshot("train", "--algo", "protonet", "--ways", "4", "--shots", "1", "--queries", "2",
      "--hidden", "8", "--iterations", "3", "--out", join(dir, `t${threads}.safetensors`), "--backend", "wasm",
      "--threads", String(threads), "--json");
    const [one, two] = [await train(1), await train(2)];
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.json()).toMatchObject({ backend: "wasm", threads: 1 });
    expect(two.json()).toMatchObject({ backend: "wasm", threads: 2 });
    expect(two.err.join("\n")).toMatch(/backend wasm, 2 threads/);
    expect(two.json().loss).toBe(one.json().loss);
    expect(two.json().trainAccuracy).toBe(one.json().trainAccuracy);
  });

  it("--fast: the wasm fast mode where the engine validates relaxed SIMD, said in the log and the JSON", async () => {
    const dir = scratch("fast");
    const run = await kshot("train", "--algo", "protonet", "--ways", "3", "--shots", "1", "--queries", "1", "--hidden", "8",
      "--iterations", "1", "--out", join(dir, "fast.safetensors"), "--backend", "wasm", "--threads", "1", "--fast", "--json");
    expect(run.code).toBe(0);
    const relaxed = ((await kshot("info", "--json")).json().wasm as { fastBuild: string }).fastBuild === "relaxed";
    expect(run.json()).toMatchObject({ backend: "wasm", deterministic: !relaxed });
    expect(run.err.join("\n")).toMatch(relaxed ? /backend wasm, fast/ : /backend wasm\b(?!, fast)/);
  });
});

const OMNIGLOT = join(import.meta.dirname, "../../../shared/data/omniglot");

describe("kshot on the real Omniglot", () => {
  it("trains on the vinyals split and evaluates with the stored split and path", async () => {
    if (!existsSync(OMNIGLOT)) {
      if (process.env.CI) throw new Error(`Omniglot is missing at ${OMNIGLOT}`);
      console.warn(`skipped: no Omniglot at ${OMNIGLOT}`);
      return;
    }
    const out = join(scratch("omniglot"), "o.safetensors");
    const t = await kshot("train", "--algo", "matchingnet", "--dataset", "omniglot", "--data", OMNIGLOT, "--split", "vinyals",
      "--ways", "3", "--queries", "1", "--meta-batch", "1", "--hidden", "2", "--iterations", "1", "--episodes", "2", "--out", out, ...REF, "--json");
    expect(t.code).toBe(0);
    expect(t.json()).toMatchObject({ dataset: "omniglot", split: "vinyals" });
    const e = await kshot("eval", "--model", out, "--episodes", "2", "--queries", "1", ...REF, "--json");
    expect(e.code).toBe(0);
    expect(e.json()).toMatchObject({ dataset: "omniglot", split: "vinyals", ways: 3, shots: 1, episodes: 2 });
    const rotated = await kshot("train", "--dataset", "omniglot", "--data", OMNIGLOT, "--split", "vinyals", "--augment", "rot90", "--out", out, ...REF);
    expect(rotated.code).toBe(1);
    expect(rotated.err.join("\n")).toMatch(/would rotate twice/);
  });
});

describe("kshot errors: a message on stderr, a non-zero exit, nothing on stdout", () => {
  const fails = async (expected: RegExp, ...argv: string[]) => {
    const r = await kshot(...argv);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).toEqual([]);
    expect(r.err.join("\n")).toMatch(expected);
  };

  it("usage errors", async () => {
    await fails(/--out FILE.safetensors is required/, "train", ...SINE, "--iterations", "1");
    await fails(/--ways expects a positive integer, got "five"/, "train", "--ways", "five", "--out", "x");
    await fails(/--meta-lr expects a positive number, got "-1"/, "train", "--meta-lr", "-1", "--out", "x");
    await fails(/unknown option --epochs/, "train", "--epochs", "3", "--out", "x");
    await fails(/unknown command "fit"/, "fit");
    await fails(/--model FILE.safetensors is required/, "eval", ...REF);
    await fails(/kshot info: unknown option --verbose/, "info", "--verbose");
    await fails(/--threads expects a positive integer, got "0"/, "train", "--threads", "0", "--out", "x");
    await fails(/threads to be "auto" or an integer from 1 to 64, got 65/, "train", "--algo", "maml", "--dataset", "sinusoid", "--backend", "wasm", "--threads", "65", "--out", "x");
    const none = await kshotWithEnv({ KSHOT_BENCH: "^no-such-benchmark$" }, "bench", "--json");
    expect(none.code).toBe(1);
    expect(none.err.join("\n")).toMatch(/no benchmarks matching KSHOT_BENCH=\^no-such-benchmark\$/);
  });

  it("unknown names", async () => {
    await fails(/unknown algorithm "maml2"/, "train", "--algo", "maml2", "--out", "x", ...REF);
    await fails(/unknown dataset "cifar"/, "train", "--dataset", "cifar", "--out", "x", ...REF);
    await fails(/unknown backend "cuda"/, "train", "--backend", "cuda", "--out", "x");
  });

  it("episodes the data cannot provide", async () => {
    await fails(/5000-way episodes need 5000 classes, the data has 1500/, "train", "--ways", "5000", "--out", "x", ...REF);
    await fails(/15 shots \+ 10 queries need 25 examples per class, class 0 \(glyph 0\) has 20/, "train", "--shots", "15", "--queries", "10", "--out", "x", ...REF);
    await fails(/imagefolder: pass --data PATH/, "train", "--dataset", "imagefolder", "--out", "x", ...REF);
    await fails(/omniglot: no data at \/nonexistent/, "train", "--dataset", "omniglot", "--data", "/nonexistent", "--out", "x", ...REF);
  });

  it("unreadable or foreign checkpoints", async () => {
    const dir = scratch("bad");
    await fails(/cannot read .*missing.safetensors/, "eval", "--model", join(dir, "missing.safetensors"), ...REF);
    const junk = join(dir, "junk.safetensors");
    writeFileSync(junk, "certainly not safetensors");
    await fails(/junk.safetensors: /, "eval", "--model", junk, ...REF);
    await fails(/junk.safetensors: /, "train", "--resume", junk, "--out", join(dir, "o.safetensors"), ...REF);
  });
});
