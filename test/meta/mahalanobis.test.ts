// Mahalanobis prototypes (Simple CNAPS): the PyTorch golden case, the moments and the running estimate
// against float64 host arithmetic, ProtoNet's metric option, and the adaptation contract with `accumulate`.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { runCase } from "../golden/golden-case.ts";
import { activeFloat } from "../support/gradcheck.ts";
import { readRepoBytes } from "../support/repo-files.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm } from "./support.ts";

const D = 3;

/** Rows of a [S, D] matrix for host arithmetic. */
function rows(values: number[]): number[][] {
  return Array.from({ length: values.length / D }, (_, i) => values.slice(i * D, (i + 1) * D));
}

const meanOf = (r: number[][]) => Array.from({ length: D }, (_, j) => r.reduce((s, x) => s + x[j]!, 0) / r.length);

/** Σ (x − c)(x − c)ᵀ / divisor, flattened. */
function scatter(r: number[][], c: number[], divisor: number): number[] {
  const out = new Array(D * D).fill(0);
  for (const x of r) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) out[i * D + j] += ((x[i]! - c[i]!) * (x[j]! - c[j]!)) / divisor;
  return out;
}

function close(got: ArrayLike<number>, want: readonly number[], tol = activeFloat() === "float64" ? 1e-12 : 1e-5): void {
  const scale = Math.max(1, ...want.map(Math.abs));
  const worst = want.reduce((m, w, i) => Math.max(m, Math.abs(got[i]! - w)), 0);
  expect(worst / scale, `got ${Array.from(got)}, want ${want}`).toBeLessThan(tol);
}

// Two classes: class 0 with 3 examples, class 1 with 2 (labels not class-major).
const first = [0, 1, 2, 1, 0, 1, 4, 4, 0, 2, 2, 3, 5, 3, 1];
const firstLabels = [0, 0, 1, 0, 1];
// A second batch: two more of class 0, none of class 1.
const second = [1, 2, 0, 3, 0, 1];
const secondLabels = [0, 0];

const z = (v: number[]) => ks.tensor(v, [1, v.length / D, D], activeFloat());
const y = (v: number[]) => ks.tensor(Int32Array.from(v), [1, v.length], "int32");
const ofClass = (v: number[], labels: number[], c: number) => rows(v).filter((_, i) => labels[i] === c);

describe("Mahalanobis prototypes", () => {
  it("one meta-step matches PyTorch's golden case conv4_protonet_mahalanobis", async () => {
    const r = await runCase(await readRepoBytes("test/golden/cases/conv4_protonet_mahalanobis.safetensors"), "conv4_protonet_mahalanobis.safetensors");
    expect(r.checked).toBeGreaterThan(0);
    expect({ passed: r.passed, worst: r.worstKey }).toEqual({ passed: true, worst: r.worstKey });
  });

  it("support moments: counts, class means, unbiased class and task covariances", async () => {
    const m = ks.meta.supportMoments(z(first), y(firstLabels), 2);
    const c0 = ofClass(first, firstLabels, 0);
    const c1 = ofClass(first, firstLabels, 1);
    close(await m.counts.data(), [3, 2]);
    close(await m.prototypes.data(), [...meanOf(c0), ...meanOf(c1)]);
    close(await m.classCovariance.data(), [...scatter(c0, meanOf(c0), 2), ...scatter(c1, meanOf(c1), 1)]);
    close(await m.taskCovariance.data(), scatter(rows(first), meanOf(rows(first)), 4));
  });

  it("logits are minus squared Mahalanobis distances under λΣ_k + (1 − λ)Σ_task + βI", async () => {
    // One-dimensional check by hand: class means 0 and 4, Σ_0 = 0 (one example), Σ_task of {0, 4} = 8.
    const e = ks.tensor([0, 4], [1, 2, 1], activeFloat());
    const m = ks.meta.supportMoments(e, y([0, 1]), 2);
    const p = ks.meta.precisions(m, 1);
    close(await p.data(), [1 / 5, 1 / 5]); // ½·0 + ½·8 + 1
    close(await ks.meta.negativeMahalanobis(ks.tensor([1], [1, 1, 1], activeFloat()), m.prototypes, p).data(), [-1 / 5, -9 / 5]);
  });

  it("accumulating: exact counts and means; default α = n_old/n weighs every example the same; absent classes keep Σ_k", async () => {
    const m = ks.meta.supportMoments(z(first), y(firstLabels), 2);
    const a = ks.meta.accumulateMoments(m, z(second), y(secondLabels), undefined);
    const all = [...ofClass(first, firstLabels, 0), ...rows(second)];
    close(await a.counts.data(), [5, 2]);
    const mu0 = meanOf(all);
    const mu1 = meanOf(ofClass(first, firstLabels, 1));
    close(await a.prototypes.data(), [...mu0, ...mu1]);
    const old = Array.from(await m.classCovariance.data());
    const cov0 = scatter(rows(second), mu0, 2).map((v, i) => (3 / 5) * old[i]! + (2 / 5) * v);
    close(await a.classCovariance.data(), [...cov0, ...old.slice(D * D)]);
    const taskMean = mu0.map((v, j) => (5 * v + 2 * mu1[j]!) / 7);
    const oldTask = Array.from(await m.taskCovariance.data());
    close(await a.taskCovariance.data(), scatter(rows(second), taskMean, 2).map((v, i) => (5 / 7) * oldTask[i]! + (2 / 7) * v));
  });

  it("accumulating with a decay α: Σ ← αΣ + (1 − α)AᵀA/m", async () => {
    const m = ks.meta.supportMoments(z(first), y(firstLabels), 2);
    const a = ks.meta.accumulateMoments(m, z(second), y(secondLabels), 0.25);
    const mu0 = Array.from(await a.prototypes.data()).slice(0, D);
    const old = Array.from(await m.classCovariance.data());
    close(await a.classCovariance.data(), [...scatter(rows(second), mu0, 2).map((v, i) => 0.25 * old[i]! + 0.75 * v), ...old.slice(D * D)]);
  });
});

const model = () => ks.nn.conv4({ hidden: 4, ways: 0, size: 16 });
const setup = (covarianceDecay?: number) => ({ algo: ks.meta.protonet(model(), { metric: "mahalanobis", covarianceDecay }), batch: episodeBatch(2, 3, new ks.Rng(7)) });

describe("protonet({ metric: \"mahalanobis\" })", () => {
  itAdaptsLikeEveryAlgorithm("protonet mahalanobis", () => setup(), false);

  it("stores its options and the registry rebuilds it from them", () => {
    const algo = ks.meta.protonet(model(), { metric: "mahalanobis", covarianceDecay: 0.5 });
    expect(algo.options).toEqual({ metric: "mahalanobis", ridge: 1, covarianceDecay: 0.5 });
    expect(ks.createAlgorithm("protonet", model(), ks.algorithmOptions(algo)).options).toEqual(algo.options);
    expect(algo.adaptation.kind).toBe("mahalanobis");
    expect(ks.meta.protonet(model()).options).toEqual({ metric: "euclidean" });
    expect(ks.meta.protonet(model()).accumulate).toBeUndefined();
  });

  it("rejects bad options", () => {
    expect(() => ks.meta.protonet(model(), { metric: "cosine" as never })).toThrow('expected metric "euclidean" or "mahalanobis", got "cosine"');
    expect(() => ks.meta.protonet(model(), { metric: "mahalanobis", ridge: 0 })).toThrow("ridge to be a positive number");
    expect(() => ks.meta.protonet(model(), { metric: "mahalanobis", covarianceDecay: 1 })).toThrow("covarianceDecay in [0, 1)");
    expect(() => ks.meta.protonet(model(), { ridge: 2 })).toThrow('apply to metric "mahalanobis" only');
    expect(() => ks.createAlgorithm("protonet", model(), { metric: 3 })).toThrow("algorithm option metric: expected a string");
  });

  it("accumulate adds examples to an adapted task: the moments update, the task given is unchanged, memory stays flat", async () => {
    const { algo, batch } = setup();
    const params = algo.init(new ks.Rng(1));
    const task = algo.adapt(params, { ...batch.support, ways: 3 });
    const before = Array.from(await task.tensors.precision!.data());
    const cycle = () => {
      const more = algo.accumulate!(task, { x: batch.query.x, y: batch.query.y, ways: 3 });
      algo.predict(more, batch.query.x).dispose();
      return more;
    };
    const more = cycle();
    expect(Array.from(await more.tensors.counts!.data())).toEqual([2, 2, 2, 2, 2, 2]);
    expect(Array.from(await task.tensors.precision!.data())).toEqual(before);
    expect(Array.from(await more.tensors.precision!.data())).not.toEqual(before);
    expect(Object.keys(more.tensors).sort()).toEqual(Object.keys(task.tensors).sort());
    Object.values(more.tensors).forEach((t) => t.dispose());
    const memory = ks.memory();
    Object.values(cycle().tensors).forEach((t) => t.dispose());
    expect(ks.memory()).toEqual(memory);
  });

  it("trains: one step's loss is finite and its gradient reaches every parameter", async () => {
    const { algo, batch } = setup();
    const params = algo.init(new ks.Rng(2));
    const step = algo.step(params, batch);
    expect(Number.isFinite((await step.loss.data())[0])).toBe(true);
    expect(Object.keys(step.grads).sort()).toEqual(Object.keys(params).sort());
  });
});
