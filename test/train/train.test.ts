import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { TensorRecord } from "../../src/autograd.ts";
import type { MetaAlgorithm } from "../../src/meta/algorithm.ts";
import type { TrainProgress } from "../../src/train/train.ts";
import { clusterTasks, sineTasks } from "./fixtures.ts";
const { load } = ks.io;
const { mul } = ks;
const { finetune } = ks.meta;
const { stepDecay } = ks.optim;
const { train } = ks;

const mlpClassifier = (ways = 3) => ks.nn.mlp([4, 8, ways]);
const fomaml = () => ks.meta.fomaml(mlpClassifier(), { innerLr: 0.5, innerSteps: 1 });
const values = async (r: TensorRecord) => Object.fromEntries(await Promise.all(Object.entries(r).map(async ([k, t]) => [k, Array.from(await t.data())])));
const dispose = (r: TensorRecord) => Object.values(r).forEach((t) => t.dispose());

/** An algorithm whose step gives NaN (loss) or an infinite gradient on the chosen calls. */
function poisoned(inner: MetaAlgorithm, poison: (call: number) => "loss" | "grad" | undefined): MetaAlgorithm {
  let call = 0;
  return {
    ...inner,
    step(params, batch) {
      const r = inner.step(params, batch);
      const what = poison(call++);
      if (what === "loss") return { ...r, loss: mul(r.loss, NaN) };
      if (what === "grad") {
        const [k] = Object.keys(r.grads);
        return { ...r, grads: { ...r.grads, [k!]: mul(r.grads[k!]!, Infinity) } };
      }
      return r;
    },
  };
}

describe("train", () => {
  it("meta-trains: the training loss falls", async () => {
    const r = await train(ks.meta.maml(mlpClassifier(), { innerLr: 0.5 }), clusterTasks(), { iterations: 60, metaBatch: 4, metaLr: 0.01, logEvery: 20 });
    expect(r.history.length).toBe(3);
    expect(r.history[2]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(r.stopped).toBe("iterations");
    expect(r.iterations).toBe(60);
    expect(r.accuracy).toBeGreaterThan(0.34);
    dispose(r.params);
  });

  it("resumes exactly: N iterations straight equal k, then a resume for N − k (bit-identical)", async () => {
    const options = { metaBatch: 2, metaLr: 0.05, schedule: stepDecay(2, 0.5), logEvery: 1, seed: 3 };
    const straight = await train(fomaml(), clusterTasks(7), { ...options, iterations: 7 });

    const saved: Uint8Array[] = [];
    const first = await train(fomaml(), clusterTasks(7), { ...options, iterations: 3, checkpoint: { write: (b) => void saved.push(b) } });
    const checkpoint = await load(saved[saved.length - 1]!);
    expect(checkpoint.metadata.iteration).toBe(3);
    const resumed = await train(fomaml(), clusterTasks(12345), { ...options, iterations: 7, resume: checkpoint });
    expect(resumed.iterations).toBe(7);
    expect(await values(resumed.params)).toEqual(await values(straight.params));
    [straight.params, first.params, resumed.params, checkpoint.params, checkpoint.optimizer!].forEach(dispose);
  });

  it("refuses to resume from a checkpoint with NaN or infinite values", async () => {
    const saved: Uint8Array[] = [];
    const first = await train(fomaml(), clusterTasks(7), { iterations: 2, checkpoint: { write: (b) => void saved.push(b) } });
    const checkpoint = await load(saved[0]!);
    const [name] = Object.keys(checkpoint.params);
    const good = checkpoint.params[name!]!;
    checkpoint.params[name!] = mul(good, NaN);
    await expect(train(fomaml(), clusterTasks(7), { iterations: 4, resume: checkpoint })).rejects.toThrow(new RegExp(`cannot resume from a checkpoint with non-finite values: ${name!.replace(".", "\\.")}\\[0\\] is NaN`));
    [first.params, checkpoint.params, checkpoint.optimizer!, { good }].forEach(dispose);
  });

  it("keeps memory flat over hundreds of steps", async () => {
    const seen: { tensors: number; bytes: number }[] = [];
    const algo = ks.meta.maml(ks.nn.mlp([1, 8, 1]), { innerLr: 0.01, loss: "mse" });
    const r = await train(algo, sineTasks(), {
      iterations: 300, metaBatch: 2, logEvery: 25, clipNorm: 10,
      onProgress: () => void seen.push(ks.memory()),
    });
    expect(seen.length).toBe(12);
    for (const m of seen.slice(1)) expect(m).toEqual(seen[0]);
    dispose(r.params);
  });

  it("skips steps with a non-finite loss or gradient and never trains on them", async () => {
    const bad = (call: number) => (call === 1 ? "loss" : call === 3 ? "grad" : undefined);
    const dirty = await train(poisoned(fomaml(), bad), clusterTasks(2), { iterations: 6, logEvery: 1, metaLr: 0.05, seed: 1 });
    expect(dirty.skipped).toBe(2);
    expect(dirty.history.map((p) => p.skipped)).toEqual([0, 1, 1, 2, 2, 2]);
    expect(dirty.history.every((p) => Number.isFinite(p.loss))).toBe(true);

    // Skipped steps change nothing (not even Adam's step count): 2 clean steps then 3 poisoned ones give
    // exactly the parameters of the 2 clean steps alone.
    const clean = await train(fomaml(), clusterTasks(2), { iterations: 2, metaLr: 0.05, seed: 1 });
    const tail = (call: number) => (call < 2 ? undefined : call % 2 ? "loss" : "grad");
    const stopped = await train(poisoned(fomaml(), tail), clusterTasks(2), { iterations: 5, metaLr: 0.05, seed: 1 });
    expect(stopped.skipped).toBe(3);
    expect(await values(stopped.params)).toEqual(await values(clean.params));
    [clean.params, dirty.params, stopped.params].forEach(dispose);
  });

  it("stops once too many steps were skipped, leaving the parameters untouched", async () => {
    const init = ks.meta.fomaml(mlpClassifier()).init(new ks.Rng(5));
    const r = await train(poisoned(fomaml(), () => "loss"), clusterTasks(), { iterations: 50, logEvery: 1, maxNonFinite: 2, params: init });
    expect(r.stopped).toBe("non-finite");
    expect(r.skipped).toBe(3);
    expect(await values(r.params)).toEqual(await values(init));
    // The limit holds at every step, not only when a report falls due.
    const sparse = await train(poisoned(fomaml(), () => "loss"), clusterTasks(), { iterations: 50, logEvery: 20, maxNonFinite: 2, params: init });
    expect([sparse.stopped, sparse.skipped, sparse.iterations]).toEqual(["non-finite", 3, 3]);
    [r.params, sparse.params, init].forEach(dispose);
  });

  it("stops on an AbortSignal and on a minutes budget", async () => {
    const controller = new AbortController();
    const r = await train(fomaml(), clusterTasks(), {
      iterations: 1000, logEvery: 5, signal: controller.signal,
      onProgress: (p) => p.iteration >= 10 && controller.abort(),
    });
    expect(r.stopped).toBe("aborted");
    expect(r.iterations).toBe(10);
    const timed = await train(fomaml(), clusterTasks(), { minutes: 0.2 / 60 });
    expect(timed.stopped).toBe("minutes");
    expect(timed.seconds).toBeGreaterThanOrEqual(0.2);
    [r.params, timed.params].forEach(dispose);
  });

  it("validates periodically on the same episodes each time", async () => {
    const reports: TrainProgress[] = [];
    const saved: Uint8Array[] = [];
    const r = await train(fomaml(), clusterTasks(), {
      iterations: 6, metaLr: 0, logEvery: 100, checkpoint: { write: (b) => void saved.push(b), every: 100 },
      validation: { tasks: clusterTasks(99, 3, 1, 2, 9), every: 3, episodes: 8 },
      onProgress: (p) => void reports.push(p),
    });
    const validations = reports.filter((p) => p.validation);
    expect(validations.map((p) => p.iteration)).toEqual([3, 6]);
    // The checkpoint carries the learning curve.
    const curve = (await load(saved[0]!)).metadata.history!.validation as { iteration: number; accuracy: number }[];
    expect(curve.map((v) => v.iteration)).toEqual([3, 6]);
    expect(curve[0]!.accuracy).toBe((validations[0]!.validation as { accuracy: number }).accuracy);
    // The meta learning rate is 0, so the parameters do not move and both runs see the same episodes.
    expect(validations[1]!.validation).toEqual(validations[0]!.validation);
    expect(r.validation).toEqual(validations[1]!.validation);
    dispose(r.params);
  });

  it("stops early after `patience` validations without improvement; the checkpoint holds the best state and resumes from it", async () => {
    const saved: Uint8Array[] = [];
    // A new validation source each run, as `kshot train` makes one per sitting: the same episodes.
    const options = () => ({
      iterations: 100, metaLr: 0, logEvery: 100,
      validation: { tasks: clusterTasks(99, 3, 1, 2, 9), every: 2, episodes: 8, patience: 2 },
    });
    // The meta learning rate is 0: every validation ties with the first, which stays the best.
    const r = await train(fomaml(), clusterTasks(), { ...options(), checkpoint: { write: (b) => void saved.push(b), every: 1 } });
    expect(r.stopped).toBe("patience");
    expect(r.iterations).toBe(6);
    expect(r.best?.iteration).toBe(2);
    // Periodic writes until the first validation, then only the best state (none at the end: it is already written).
    const written = await Promise.all(saved.map((b) => load(b)));
    expect(written.map((c) => c.metadata.iteration)).toEqual([1, 2]);
    expect(written[1]!.metadata.state!.best).toEqual({ iteration: 2, score: r.best!.score, since: 0 });
    const resumed = await train(fomaml(), clusterTasks(), { ...options(), resume: written[1]! });
    expect([resumed.stopped, resumed.iterations, resumed.best?.iteration]).toEqual(["patience", 6, 2]);
    expect(await values(resumed.params)).toEqual(await values(written[1]!.params));
    [r.params, resumed.params, ...written.flatMap((c) => [c.params, c.optimizer!])].forEach(dispose);
  });

  it("with early stopping returns the parameters of the best validation, as a run that stopped there", async () => {
    const options = { metaBatch: 2, metaLr: 0.2, logEvery: 100, seed: 5 };
    const saved: Uint8Array[] = [];
    const r = await train(fomaml(), clusterTasks(3), {
      ...options, iterations: 30, checkpoint: { write: (b) => void saved.push(b), every: 1 },
      validation: { tasks: clusterTasks(99, 3, 1, 2, 9), every: 3, episodes: 20, patience: 3 },
    });
    const best = r.best!.iteration;
    const curve = (await load(saved.at(-1)!)).metadata.history!.validation as { iteration: number; accuracy: number }[];
    // The best is the first validation that no later one beat.
    const top = Math.max(...curve.map((v) => v.accuracy));
    expect(curve.find((v) => v.accuracy === top)!.iteration).toBe(best);
    expect(r.best!.score).toBe(top);
    const straight = await train(fomaml(), clusterTasks(3), { ...options, iterations: best });
    expect(await values(r.params)).toEqual(await values(straight.params));
    const file = await load(saved.at(-1)!);
    expect(file.metadata.iteration).toBe(best);
    expect(await values(file.params)).toEqual(await values(straight.params));
    [r.params, straight.params, file.params, file.optimizer!].forEach(dispose);
  });

  it("stamps validations and checkpoints with training seconds, which stand still while they run", async () => {
    const saved: Uint8Array[] = [];
    const r = await train(fomaml(), clusterTasks(), {
      iterations: 12, logEvery: 100, checkpoint: { write: (b) => void saved.push(b), every: 4 },
      validation: { tasks: clusterTasks(99, 3, 1, 2, 9), every: 2, episodes: 40 },
    });
    const last = (await load(saved[saved.length - 1]!)).metadata;
    const stamps = (last.history!.validation as { seconds: number }[]).map((v) => v.seconds);
    expect(stamps).toHaveLength(6);
    stamps.slice(1).forEach((s, i) => expect(s).toBeGreaterThanOrEqual(stamps[i]!));
    // Training time only: the validation at the last iteration is no later than the run's total.
    expect(stamps[5]!).toBeLessThanOrEqual(last.seconds as number);
    expect(last.seconds as number).toBeLessThanOrEqual(r.seconds + 1e-9);
    dispose(r.params);
  });

  it("reports progress with pace, ETA and the schedule's learning rate", async () => {
    const reports: TrainProgress[] = [];
    const r = await train(fomaml(), clusterTasks(), {
      iterations: 8, metaBatch: 3, logEvery: 4, metaLr: 0.1, schedule: stepDecay(4, 0.1),
      onProgress: (p) => void reports.push(p),
    });
    expect(reports.map((p) => p.iteration)).toEqual([4, 8]);
    expect(reports[0]!.lr).toBeCloseTo(0.1, 12);
    expect(reports[1]!.lr).toBeCloseTo(0.01, 12);
    expect(reports[0]!.tasksPerSecond).toBeGreaterThan(0);
    expect(reports[0]!.etaSeconds).toBeGreaterThan(0);
    expect(reports[1]!.etaSeconds).toBe(0);
    expect(reports[0]!.accuracy).toBeGreaterThanOrEqual(0);
    dispose(r.params);
  });

  it("rejects bad options and mismatched tasks with clear errors", async () => {
    await expect(train(fomaml(), clusterTasks(), {})).rejects.toThrow(/give a budget/);
    await expect(train(fomaml(), clusterTasks(), { iterations: 1, metaBatch: 0 })).rejects.toThrow(/metaBatch to be a positive integer, got 0/);
    await expect(train(fomaml(), clusterTasks(), { minutes: -1 })).rejects.toThrow(/minutes to be a positive number/);
    await expect(train(fomaml(), clusterTasks(), { iterations: 1, validation: { tasks: clusterTasks(), patience: 0 } })).rejects.toThrow(/validation.patience to be a positive integer, got 0/);
    await expect(train(fomaml(), sineTasks(), { iterations: 1 })).rejects.toThrow(/cannot train on regression tasks/);
    const baseline = finetune(ks.nn.mlp([4, 8]), { numClasses: 5 });
    await expect(train(baseline, clusterTasks(), { iterations: 1 })).rejects.toThrow(/head has 5 classes, the training tasks draw from 12/);
    await expect(train(fomaml(), clusterTasks(), { iterations: 1, schedule: { kind: "step", every: 0, factor: 1 } })).rejects.toThrow(/schedule/);
  });
});
