import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

describe("kshot help and version", () => {
  it("--help and -h: the command's options; kshot --help: every command; --version: package.json's", async () => {
    for (const argv of [["train", "--help"], ["train", "-h"], ["train", "--ways", "5", "--help"], ["help", "train"]]) {
      const r = await kshot(...argv);
      expect(r.code, argv.join(" ")).toBe(0);
      const text = r.out.join("\n");
      expect(text).toMatch(/^usage: kshot train --out FILE.safetensors \[options\]/);
      expect(text).toMatch(/--queries Q +query examples per class/);
      expect(text).toMatch(/--split S +omniglot's class split: lake or vinyals \(default lake\)/);
    }
    const evalHelp = await kshot("eval", "-h");
    expect(evalHelp.out.join("\n")).toMatch(/--model FILE +the checkpoint to evaluate/);
    const all = await kshot("--help");
    expect(all.code).toBe(0);
    for (const c of ["info", "train", "eval", "bench"]) expect(all.out.join("\n")).toContain(`kshot ${c} `);
    const version = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")).version as string;
    for (const flag of ["--version", "-V"]) {
      const v = await kshot(flag);
      expect(v).toMatchObject({ code: 0, out: [`kshot ${version}`], err: [] });
    }
    const none = await kshot();
    expect(none.code).toBe(2);
    expect(none.err.join("\n")).toMatch(/^usage: kshot <command>/);
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
    expect(r.out.join("\n")).toMatch(/maml on sinusoid \(built in\), reference backend: 2 iterations in .*last loss [\d.]+ \(mean of the last 2 iterations\)/);
    expect(r.out.join("\n")).toMatch(/test: 10-shot sinusoid MSE .* after 1 step, .* after 5 steps, .* after 10 steps \(30 tasks\)/);
  });

  it("trains and evaluates ProtoNet with the Mahalanobis metric (--metric), also on shifted images (--shift); --metric refused for other algorithms", async () => {
    const out = join(scratch("mahalanobis"), "m.safetensors");
    const r = await kshot("train", "--algo", "protonet", "--metric", "mahalanobis", "--ways", "3", "--shots", "2", "--queries", "1", "--hidden", "2",
      "--iterations", "2", "--out", out, ...REF, "--json");
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(0, 4096).toString("latin1")).toMatch(/algorithm_options":"\{\\"metric\\":\\"mahalanobis\\",\\"ridge\\":1/);
    const e = await kshot("eval", "--model", out, "--episodes", "2", "--queries", "2", ...REF, "--json");
    expect(e.code).toBe(0);
    expect(e.json()).toMatchObject({ episodes: 2, algorithm: "protonet" });
    const shifted = await kshot("eval", "--model", out, "--episodes", "2", "--queries", "2", "--shift", "dilate:1,blur:0.5", ...REF, "--json");
    expect(shifted.code).toBe(0);
    expect(shifted.json()).toMatchObject({ episodes: 2, shift: "dilate:1,blur:0.5" });
    expect(shifted.err.join("\n")).toMatch(/glyphs \(built in\), shifted \(strokes \+1 px, blur σ 0.5 px\), test classes/);
    const bad = await kshot("eval", "--model", out, "--shift", "thick", ...REF);
    expect(bad.code).toBe(1);
    expect(bad.err.join("\n")).toMatch(/expected dilate:R and\/or blur:S/);
    const maml = await kshot("train", "--algo", "maml", "--metric", "mahalanobis", "--iterations", "1", "--hidden", "2", "--out", join(scratch("mahalanobis-maml"), "x.safetensors"), ...REF);
    expect(maml.code).toBe(1);
    expect(maml.err.join("\n")).toMatch(/--metric does not apply to maml/);
  });

  it("trains ProtoNet with support and query embedded apart (--embedding separate) and evaluates it so; refused for MAML", async () => {
    const out = join(scratch("embedding"), "s.safetensors");
    const r = await kshot("train", "--algo", "protonet", "--embedding", "separate", "--ways", "3", "--shots", "2", "--queries", "1", "--hidden", "2",
      "--iterations", "2", "--out", out, ...REF, "--json");
    expect(r.code).toBe(0);
    expect(r.err.join("\n")).toMatch(/augment none, support and query embedded separately\)/);
    expect(readFileSync(out).subarray(0, 4096).toString("latin1")).toMatch(/algorithm_options":"\{\\"metric\\":\\"euclidean\\",\\"embedding\\":\\"separate\\"/);
    const e = await kshot("eval", "--model", out, "--episodes", "2", "--queries", "2", ...REF, "--json");
    expect(e.code).toBe(0);
    const maml = await kshot("train", "--algo", "maml", "--embedding", "separate", "--iterations", "1", "--hidden", "2", "--out", join(scratch("embedding-maml"), "x.safetensors"), ...REF);
    expect(maml.code).toBe(1);
    expect(maml.err.join("\n")).toMatch(/--embedding does not apply to maml/);
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
    expect(e.err.join("\n")).toMatch(/on glyphs \(built in\), test classes/);
    expect(e.code).toBe(0);
    const acc = e.json();
    expect(acc).toMatchObject({ episodes: 3, ways: 5, shots: 1, algorithm: "protonet" });
    expect(acc.accuracy as number).toBeGreaterThanOrEqual(0);
    expect(acc.accuracy as number).toBeLessThanOrEqual(1);
    expect(acc.ci95 as number).toBeGreaterThanOrEqual(0);
    const steps = await kshot("eval", "--model", out, "--inner-steps", "3", ...REF);
    expect(steps.code).toBe(1);
    expect(steps.err.join("\n")).toMatch(/protonet adapts by class prototypes, without gradient steps: --inner-steps and --inner-lr do not apply/);
  });

  it("--patience: stops early on validation and keeps the best model in --out", async () => {
    const dir = scratch("patience");
    const out = join(dir, "p.safetensors");
    // A meta learning rate too small to move float32 parameters: every validation ties with the first.
    const r = await kshot("train", "--algo", "protonet", "--ways", "3", "--shots", "1", "--queries", "1", "--hidden", "2", "--meta-lr", "1e-12",
      "--iterations", "50", "--eval-every", "2", "--patience", "2", "--episodes", "4", "--out", out, ...REF, "--json");
    expect(r.code).toBe(0);
    expect(r.err.join("\n")).toMatch(/stopped early at iteration 6 \(2 validations without improvement\); keeps the best model, iteration 2 \(validation accuracy [\d.]+%\)/);
    expect(r.json()).toMatchObject({ iterations: 6, stopped: "patience", best: { iteration: 2 } });
    const info = await kshot("train", "--resume", out, "--iterations", "50", "--eval-every", "2", "--patience", "2", "--out", out, ...REF, "--json");
    expect(info.json()).toMatchObject({ iterations: 6, stopped: "patience", best: { iteration: 2 } });
    // Regression: the MSE after the most steps decides; a budget spent first still keeps the best.
    const sine = await kshot("train", ...SINE, "--iterations", "2", "--eval-every", "1", "--patience", "5", "--out", join(dir, "s.safetensors"));
    expect(sine.code).toBe(0);
    expect(sine.out.join("\n")).toMatch(/ran to iteration 2; keeps the best model, iteration [12] \(validation MSE [\d.]+\)/);
  });

  it("--normalize: Matching Networks' cosine form, stored in the checkpoint; refused for other algorithms", async () => {
    const dir = scratch("normalize");
    const out = join(dir, "m.safetensors");
    const r = await kshot("train", "--algo", "matchingnet", "--ways", "3", "--shots", "1", "--queries", "1", "--hidden", "2",
      "--normalize", "both", "--iterations", "1", "--out", out, ...REF);
    expect(r.code).toBe(0);
    const { load } = await import("../../src/io/checkpoint.ts");
    expect((await load(out)).metadata.algorithm!.options.normalize).toBe("both");
    const bad = await kshot("train", "--algo", "protonet", "--normalize", "both", "--iterations", "1", "--out", join(dir, "p.safetensors"), ...REF);
    expect(bad.code).toBe(1);
    expect(bad.err.join("\n")).toMatch(/--normalize applies to Matching Networks' cosine; protonet has none/);
    const wrong = await kshot("train", "--algo", "matchingnet", "--normalize", "query", "--iterations", "1", "--out", join(dir, "q.safetensors"), ...REF);
    expect(wrong.err.join("\n")).toMatch(/--normalize expects support or both, got "query"/);
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

const OMNIGLOT = join(process.env.KSHOT_DATA ?? join(import.meta.dirname, "../../../shared/data"), "omniglot");

describe("kshot on the real Omniglot", () => {
  it("trains on the vinyals split and evaluates with the stored split and path", async (ctx) => {
    if (!existsSync(OMNIGLOT)) {
      const how = `no Omniglot at ${OMNIGLOT}; get it with \`npm run -s kshot -- data omniglot --to ${OMNIGLOT}\``;
      if (process.env.CI) throw new Error(how);
      ctx.skip(how);
    }
    const out = join(scratch("omniglot"), "o.safetensors");
    const t = await kshot("train", "--algo", "matchingnet", "--dataset", "omniglot", "--data", OMNIGLOT, "--split", "vinyals",
      "--ways", "3", "--queries", "1", "--meta-batch", "1", "--hidden", "2", "--iterations", "1", "--episodes", "2", "--out", out, ...REF, "--json");
    expect(t.code).toBe(0);
    expect(t.json()).toMatchObject({ dataset: "omniglot", split: "vinyals" });
    expect(t.out.concat(t.err).join("\n")).toContain(`omniglot, vinyals split, from ${OMNIGLOT}`);
    const e = await kshot("eval", "--model", out, "--episodes", "2", "--queries", "1", ...REF, "--json");
    expect(e.code).toBe(0);
    expect(e.json()).toMatchObject({ dataset: "omniglot", split: "vinyals", data: OMNIGLOT, ways: 3, shots: 1, episodes: 2 });
    expect(e.err.join("\n")).toMatch(new RegExp(`on omniglot, vinyals split, from ${OMNIGLOT}, test classes`));
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
    await fails(/--ways expects an integer from 1 to 10000, got "five"/, "train", "--ways", "five", "--out", "x");
    await fails(/--ways expects an integer from 1 to 10000, got "0x10"\n\(see kshot train --help\)/, "train", "--ways", "0x10", "--out", "x");
    await fails(/--meta-lr expects a number > 0 and ≤ 1000000, got "-1"/, "train", "--meta-lr", "-1", "--out", "x");
    await fails(/unknown option --epochs/, "train", "--epochs", "3", "--out", "x");
    await fails(/unknown option --itrations \(did you mean --iterations\?\)/, "train", "--itrations", "3", "--out", "x");
    await fails(/unknown command "fit"; commands: info, train, distill, eval/, "fit");
    await fails(/unknown command "trian" \(did you mean train\?\)/, "trian");
    await fails(/--model FILE.safetensors is required/, "eval", ...REF);
    await fails(/kshot info: unknown option --verbose/, "info", "--verbose");
    await fails(/--threads expects an integer from 1 to 64, got "0"/, "train", "--threads", "0", "--out", "x");
    await fails(/--threads expects an integer from 1 to 64, got "65"/, "train", "--threads", "65", "--out", "x");
    await fails(/--hidden expects an integer from 1 to 1024, got "100000"/, "train", "--hidden", "100000", "--out", "x");
    // Once a wasm out-of-bounds crash: queries are at least 1, checked before any work.
    await fails(/--queries expects an integer from 1 to 1000, got "0"/, "train", "--dataset", "glyphs", "--algo", "protonet", "--queries", "0", "--out", "x");
    const none = await kshotWithEnv({ KSHOT_BENCH: "^no-such-benchmark$" }, "bench", "--json");
    expect(none.code).toBe(1);
    expect(none.err.join("\n")).toMatch(/no benchmarks matching KSHOT_BENCH=\^no-such-benchmark\$/);
  });

  it("--out is checked before any work: a folder, a missing folder, a folder that takes no files", async () => {
    const dir = scratch("out");
    const refusedBefore = async (expected: RegExp, out: string) => {
      const r = await kshot("train", ...SINE, "--iterations", "1", "--out", out);
      expect(r.code).toBe(1);
      expect(r.err.join("\n")).toMatch(expected);
      expect(r.err.join("\n")).not.toMatch(/budget/); // the plan line comes after the checks
    };
    await refusedBefore(/--out .* is a folder; give a file name in it, e.g. --out .*\/model.safetensors/, dir);
    await refusedBefore(/the folder .*\/missing does not exist \(create it first\)/, join(dir, "missing", "m.safetensors"));
    writeFileSync(join(dir, "file"), "");
    await refusedBefore(/\/file is not a folder/, join(dir, "file", "m.safetensors"));
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      await refusedBefore(/cannot write in .*locked \(permission denied\)/, join(locked, "m.safetensors"));
    }
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
    await fails(/omniglot: \/nonexistent does not exist/, "train", "--dataset", "omniglot", "--data", "/nonexistent", "--out", "x", ...REF);
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
