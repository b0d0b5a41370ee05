import { describe, expect, it } from "vitest";
import { parseFlags } from "../../src/cli/args.ts";
import { trainCommand } from "../../src/cli/commands/train.ts";
import { flagSpec } from "../../src/cli/flags.ts";
import { RECIPES } from "../../src/cli/defaults.ts";
import { planFromCheckpoint, planFromFlags, planMetadata } from "../../src/cli/train-plan.ts";

const TRAIN_FLAGS = flagSpec(trainCommand.flags);
const plan = (...args: string[]) => planFromFlags(parseFlags("train", [...args, "--out", "x"], TRAIN_FLAGS));

describe("kshot train's published defaults", () => {
  it("MAML on Omniglot: 5-way 1-shot, meta-batch 32, one step of 0.4, Adam 1e-3, evaluated with 3 steps", () => {
    const p = plan("--algo", "maml", "--dataset", "omniglot");
    expect([p.ways, p.shots, p.queries, p.metaBatch, p.innerSteps, p.innerLr]).toEqual([5, 1, 1, 32, 1, 0.4]);
    expect(p.optimizer).toEqual({ kind: "adam", lr: 1e-3 });
    expect(p.iterations).toBe(60000);
    expect(p.evaluation).toEqual({ ways: 5, shots: 1, queries: 15, episodes: 600, steps: 3, lr: 0.4 });
  });

  it("MAML on the sinusoid: K = 10, meta-batch 25, one step of 0.01", () => {
    const p = plan("--algo", "maml", "--dataset", "sinusoid");
    expect([p.shots, p.queries, p.metaBatch, p.innerSteps, p.innerLr, p.iterations]).toEqual([10, 10, 25, 1, 0.01, 70000]);
  });

  it("ProtoNet (the default algorithm): 60-way 5-shot 5-query, Adam 1e-3 halved every 2000, tested 5-way 1-shot", () => {
    const p = plan();
    expect(p.algorithm).toBe("protonet");
    expect(p.dataset).toBe("glyphs");
    expect([p.ways, p.shots, p.queries, p.metaBatch]).toEqual([60, 5, 5, 1]);
    expect(p.schedule).toEqual({ kind: "step", every: 2000, factor: 0.5 });
    expect(p.evaluation).toMatchObject({ ways: 5, shots: 1, queries: 15 });
    expect(p.innerSteps).toBe(undefined);
  });

  it("Matching Networks: support-only cosine by default, --normalize both kept on resume, an old checkpoint's form kept", () => {
    expect(plan("--algo", "matchingnet").options).toEqual({ normalize: "support" });
    const both = plan("--algo", "matchingnet", "--normalize", "both");
    expect(both.options).toEqual({ normalize: "both" });
    const m = { ...planMetadata(both, "none", { split: "lake" }), model: { name: "conv4", config: {} }, algorithm: { name: "matchingnet", options: { normalize: "both" } }, iteration: 3 };
    const resume = (...args: string[]) => planFromCheckpoint(parseFlags("train", [...args, "--minutes", "1", "--out", "x"], TRAIN_FLAGS), m);
    expect(resume().options).toEqual({ normalize: "both" });
    expect(() => resume("--normalize", "support")).toThrow(/--normalize support conflicts with the checkpoint's both/);
    const old = { ...m, algorithm: { name: "matchingnet", options: {} } };
    expect(planFromCheckpoint(parseFlags("train", ["--minutes", "1", "--out", "x"], TRAIN_FLAGS), old).options).toEqual({});
  });

  it("Reptile on Omniglot: 5 inner steps on minibatches of 10, meta-batch 5, 50 evaluation steps on minibatches of 5", () => {
    const p = plan("--algo", "reptile", "--dataset", "omniglot");
    expect([p.ways, p.shots, p.queries, p.metaBatch, p.innerSteps, p.evalSteps]).toEqual([5, 1, 9, 5, 5, 50]);
    expect(p.options).toEqual({ innerBatch: 10, evalBatch: 5 });
    const m = { ...planMetadata(p, "none", { split: "vinyals" }), model: { name: "conv4", config: {} }, algorithm: { name: "reptile", options: { innerSteps: 5, innerBatch: 10, evalBatch: 5 } }, iteration: 3 };
    expect(planFromCheckpoint(parseFlags("train", ["--minutes", "1", "--out", "x"], TRAIN_FLAGS), m).options).toEqual({ innerBatch: 10, evalBatch: 5 });
  });

  it("lets flags override the recipe and keeps the evaluation shape of MAML tied to training", () => {
    const p = plan("--algo", "maml", "--ways", "20", "--shots", "5", "--inner-steps", "5", "--inner-lr", "0.1", "--meta-batch", "16", "--minutes", "3");
    expect([p.ways, p.shots, p.queries, p.metaBatch, p.innerSteps, p.innerLr]).toEqual([20, 5, 5, 16, 5, 0.1]);
    expect(p.evaluation).toMatchObject({ ways: 20, shots: 5, steps: 5, lr: 0.1 });
    expect(p.iterations).toBe(undefined);
    expect(p.minutes).toBe(3);
  });

  it("cites a source for every recipe", () => {
    for (const [algo, byKind] of Object.entries(RECIPES)) {
      for (const recipe of Object.values(byKind)) expect(`${algo}: ${recipe!.source}`).toMatch(/\d{4}/);
    }
  });

  it("refuses combinations that make no sense", () => {
    expect(() => plan("--algo", "protonet", "--dataset", "sinusoid")).toThrow(/protonet classifies images/);
    expect(() => plan("--algo", "protonet", "--inner-steps", "3")).toThrow(/protonet has no inner loop/);
    expect(() => plan("--algo", "maml", "--dataset", "sinusoid", "--ways", "5")).toThrow(/--ways does not apply/);
    expect(() => plan("--algo", "metalearn")).toThrow(/unknown algorithm "metalearn"/);
    expect(() => plan("--dataset", "mnist")).toThrow(/unknown dataset "mnist" \(expected one of glyphs, omniglot, imagefolder, sinusoid\)/);
    expect(() => plan("--augment", "flip")).toThrow(/--augment expects none, rot90, rotate, got "flip"/);
    expect(plan("--augment", "rotate").augment).toBe("rotate");
  });

  it("resumes with the checkpoint's settings and refuses conflicting flags", () => {
    const fresh = plan("--algo", "fomaml", "--dataset", "sinusoid", "--iterations", "10", "--seed", "4");
    const m = {
      ...planMetadata(fresh, "none", { split: "sinusoid" }),
      model: { name: "mlp", config: { sizes: "1,40,40,1" } },
      algorithm: { name: "fomaml", options: { innerLr: 0.01, innerSteps: 1, evalSteps: 10, evalLr: 0.01, loss: "mse" } },
      optimizer: { kind: "adam", lr: 1e-3 },
      seed: 4, iteration: 5,
    };
    m.training!.schedule = { kind: "constant" };
    m.training!.iterations = 10;
    const flags = (...a: string[]) => parseFlags("train", [...a, "--out", "x"], TRAIN_FLAGS);
    const resumed = planFromCheckpoint(flags("--iterations", "20"), m);
    expect([resumed.algorithm, resumed.dataset, resumed.seed, resumed.iterations, resumed.metaBatch]).toEqual(["fomaml", "sinusoid", 4, 20, 25]);
    expect(planFromCheckpoint(flags(), m).iterations).toBe(10);
    expect(() => planFromCheckpoint(flags("--iterations", "5"), m)).toThrow(/at iteration 5 already; --iterations is the total to reach, give more than 5/);
    expect(() => planFromCheckpoint(flags("--algo", "maml"), m)).toThrow(/--algo maml conflicts with the checkpoint's fomaml/);
    expect(() => planFromCheckpoint(flags("--seed", "5"), m)).toThrow(/--seed 5 conflicts/);
    expect(planFromCheckpoint(flags("--seed", "4", "--algo", "fomaml"), m).seed).toBe(4);
    expect(() => planFromCheckpoint(flags(), { iteration: 3 })).toThrow(/lacks the training metadata/);
  });

  it("--metric sets ProtoNet's distance, kept on resume", () => {
    const p = plan("--metric", "mahalanobis");
    expect(p.options).toEqual({ metric: "mahalanobis" });
    const m = { ...planMetadata(p, "none", { split: "glyphs" }), model: { name: "conv4", config: {} }, algorithm: { name: "protonet", options: { metric: "mahalanobis", ridge: 1 } }, iteration: 3 };
    const flags = (...a: string[]) => parseFlags("train", [...a, "--minutes", "1", "--out", "x"], TRAIN_FLAGS);
    expect(planFromCheckpoint(flags(), m).options).toEqual({ metric: "mahalanobis", ridge: 1 });
    expect(() => planFromCheckpoint(flags("--metric", "euclidean"), m)).toThrow(/--metric euclidean conflicts with the checkpoint's mahalanobis/);
  });

  it("--embedding chooses how metric methods batch support and query, kept on resume", () => {
    const p = plan("--embedding", "separate");
    expect(p.options).toEqual({ embedding: "separate" });
    expect(() => plan("--embedding", "apart")).toThrow(/--embedding: expected embedding "joint" or "separate", got "apart"/);
    const m = { ...planMetadata(p, "rot90", { split: "glyphs" }), model: { name: "conv4", config: {} }, algorithm: { name: "protonet", options: { metric: "euclidean", embedding: "separate" } }, iteration: 3 };
    const flags = (...a: string[]) => parseFlags("train", [...a, "--minutes", "1", "--out", "x"], TRAIN_FLAGS);
    expect(planFromCheckpoint(flags(), m).options).toEqual({ metric: "euclidean", embedding: "separate" });
    expect(() => planFromCheckpoint(flags("--embedding", "joint"), m)).toThrow(/--embedding joint conflicts with the checkpoint's separate/);
  });
});
