// What every algorithm's unit test checks the same way: one step's gradient against PyTorch's golden
// case, and the adaptation contract of MetaAlgorithm (adapt leaves the meta-parameters as they were,
// predict answers each example independently of its batch, memory stays flat, evaluate = adapt + predict).
import { expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { runCase } from "../golden/golden-case.ts";
import { fixtureExists, fixturePath, readFixtureBytes } from "../support/fixtures.ts";
import { getEnv } from "../shims/env.ts";
import { readRepoBytes } from "../support/repo-files.ts";

/** T random image tasks of N ways × 1 example, class-major, for a model on [1, size, size] images. */
export function episodeBatch(tasks: number, ways: number, rng: ks.Rng, size = 16): ks.meta.TaskBatch {
  const images = (n: number) => ks.tensor(Float32Array.from({ length: tasks * n * size * size }, () => rng.uniform()), [tasks, n, 1, size, size]);
  const labels = () => ks.tensor(Int32Array.from({ length: tasks * ways }, (_, i) => i % ways), [tasks, ways], "int32");
  return { support: { x: images(ways), y: labels() }, query: { x: images(ways), y: labels() }, ways };
}

/** A test that the case's meta-step (computed by the algorithm's `step`) matches PyTorch's values. */
export function itMatchesGoldenCase(name: string): void {
  it(`one meta-step matches PyTorch's golden case ${name}`, async (ctx) => {
    const path = `fixtures/torch/${name}.safetensors`;
    if (!(await fixtureExists(path))) {
      if (getEnv("CI")) throw new Error(`${fixturePath(path)} is missing`);
      return ctx.skip(`no golden case at ${fixturePath(path)}`);
    }
    const r = await runCase(await readFixtureBytes(path), `${name}.safetensors`);
    expect(r.checked).toBeGreaterThan(0);
    expect({ passed: r.passed, worst: r.worstKey }).toEqual({ passed: true, worst: r.worstKey });
  });
}

/** A test that a golden case committed in test/golden/cases (tools/golden/generate.py) passes on the active backend. */
export function itMatchesCommittedGoldenCase(name: string): void {
  it(`matches PyTorch's golden case ${name}`, async () => {
    const r = await runCase(await readRepoBytes(`test/golden/cases/${name}.safetensors`), `${name}.safetensors`);
    expect(r.checked).toBeGreaterThan(0);
    expect({ passed: r.passed, worst: r.worstKey, ratio: r.worstRatio }).toMatchObject({ passed: true });
  });
}

const values = async (r: ks.TensorRecord) => Object.fromEntries(await Promise.all(Object.entries(r).map(async ([k, t]) => [k, Array.from(await t.data())] as const)));

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** The support set of a batch's first task, as the Learner adapts on it (T = 1). */
function firstTask(batch: ks.meta.TaskBatch): ks.meta.SupportSet {
  const [, s, ...rest] = batch.support.x.shape;
  return {
    x: ks.slice(batch.support.x, [0, 0, ...rest.map(() => 0)], [1, s!, ...rest]),
    y: ks.slice(batch.support.y, [0, 0], [1, s!]),
    ways: batch.ways,
  };
}

/**
 * Tests of the adaptation contract for an algorithm on a batch; `evaluateIsAdaptPredict`: whether its
 * `evaluate` is adapt + predict (metric methods embed support and query together instead).
 */
export function itAdaptsLikeEveryAlgorithm(label: string, make: () => { algo: ks.meta.MetaAlgorithm; batch: ks.meta.TaskBatch }, evaluateIsAdaptPredict = true): void {
  it(`${label}: adapt leaves the meta-parameters unchanged and alive`, async () => {
    const { algo, batch } = make();
    const params = algo.init(new ks.Rng(3));
    const before = await values(params);
    const task = algo.adapt(params, firstTask(batch));
    expect(task.params).toBe(params);
    expect(await values(params)).toEqual(before);
    ks.tidy(() => algo.predict(task, firstTask({ ...batch, support: batch.query }).x).dispose());
    Object.values(task.tensors).forEach((t) => t.dispose());
    expect(await values(params)).toEqual(before);
  });

  it(`${label}: a prediction on one example equals its row in a prediction on many`, async () => {
    const { algo, batch } = make();
    const params = algo.init(new ks.Rng(4));
    const task = algo.adapt(params, firstTask(batch));
    const query = firstTask({ ...batch, support: batch.query }).x;
    const all = await algo.predict(task, query).data();
    const outputs = all.length / query.shape[1]!;
    const one = await algo.predict(task, ks.slice(query, [0, 1, 0, 0, 0], [1, 1, -1, -1, -1])).data();
    expect(maxDifference(one, all.subarray(outputs, 2 * outputs))).toBeLessThan(1e-5);
  });

  it(`${label}: memory stays flat across adapt, predict and dispose`, () => {
    const { algo, batch } = make();
    const params = algo.init(new ks.Rng(5));
    const support = firstTask(batch);
    const query = firstTask({ ...batch, support: batch.query }).x;
    const cycle = () => {
      const task = algo.adapt(params, support);
      algo.predict(task, query).dispose();
      Object.values(task.tensors).forEach((t) => t.dispose());
    };
    cycle();
    const before = ks.memory();
    for (let i = 0; i < 3; i++) cycle();
    expect(ks.memory()).toEqual(before);
  });

  it(`${label}: supportPredictions, where adapt gives them, are predict's outputs on the support set, bit for bit`, async () => {
    const { algo, batch } = make();
    const params = algo.init(new ks.Rng(7));
    const support = firstTask(batch);
    for (const statistics of [true, false]) {
      const plain = algo.adapt(params, support, { statistics });
      expect(plain.supportPredictions).toBeUndefined();
      const task = algo.adapt(params, support, { statistics, supportPredictions: true });
      if (task.supportPredictions) {
        const predicted = algo.predict(task, support.x);
        expect(Array.from(await task.supportPredictions.data())).toEqual(Array.from(await predicted.data()));
        predicted.dispose();
        task.supportPredictions.dispose();
      }
      for (const t of [plain, task]) Object.values(t.tensors).forEach((v) => v.dispose());
    }
  });

  if (evaluateIsAdaptPredict) {
    it(`${label}: evaluate is adapt (batch statistics) then predict on the query set`, async () => {
      const { algo, batch } = make();
      const params = algo.init(new ks.Rng(6));
      const evaluation = await algo.evaluate(params, batch).predictions.data();
      const task = algo.adapt(params, { ...batch.support, ways: batch.ways }, { statistics: false });
      expect(Array.from(await algo.predict(task, batch.query.x).data())).toEqual(Array.from(evaluation));
    });
  }
}
