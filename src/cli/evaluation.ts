/** Test-set evaluation as `kshot eval` and `kshot train --eval` run and print it. */
import type { TensorRecord } from "../autograd.ts";
import { KshotError } from "../errors.ts";
import type { MetaAlgorithm } from "../meta/algorithm.ts";
import { Rng } from "../rng.ts";
import { evaluate, type EvaluationResult } from "../train/evaluate.ts";
import { type OpenedData, taskSource } from "./data.ts";
import { duration, jsonNumber, loss, percent } from "./format.ts";
import type { EvaluationPlan } from "./train-plan.ts";

export interface TestRun {
  result: EvaluationResult;
  plan: EvaluationPlan;
  seconds: number;
}

/** Checks that the algorithm can take tasks of this shape (a MAML-family head has a fixed size). */
function checkWays(algo: MetaAlgorithm, ways: number): void {
  const head = algo.model.config.ways;
  if (algo.model.name === "conv4" && typeof head === "number" && head > 0 && head !== ways) {
    throw new KshotError(`${algo.name}'s model has a ${head}-way head: it evaluates ${head}-way tasks, not ${ways}-way`);
  }
}

/** Evaluates on the test part of the data with the given protocol; `seed` picks the episodes. */
export async function runTest(
  algo: MetaAlgorithm, params: TensorRecord, data: OpenedData, plan: EvaluationPlan, seed: number,
  signal?: AbortSignal, onProgress?: (done: number, total: number) => void,
): Promise<TestRun> {
  if (data.kind === "images") checkWays(algo, plan.ways);
  const tasks = taskSource(data, "test", plan, new Rng(seed).fork("test"));
  const start = performance.now();
  const regression = data.kind === "sinusoid";
  const result = await evaluate(algo, params, tasks, {
    episodes: plan.episodes,
    lr: plan.lr,
    ...(regression ? { regressionSteps: plan.regressionSteps ?? [1, 5, 10] } : { steps: plan.steps }),
    signal,
    onProgress,
  });
  return { result, plan, seconds: (performance.now() - start) / 1000 };
}

/** The human summary line of a test run. */
export function testLine(run: TestRun): string {
  const { result: r, plan } = run;
  if (r.kind === "classification") {
    const steps = plan.steps !== undefined ? `, ${plan.steps} adaptation step${plan.steps === 1 ? "" : "s"}` : "";
    return `test: ${plan.ways}-way ${plan.shots}-shot accuracy ${percent(r.accuracy)} ± ${percent(r.ci95)} (95% CI, ${r.episodes} episodes, ${plan.queries} queries per class${steps}) in ${duration(run.seconds)}`;
  }
  const mse = Object.entries(r.mse).map(([k, v]) => `${loss(v)} ± ${loss(r.ci95[k]!)} after ${k} step${k === "1" ? "" : "s"}`).join(", ");
  return `test: ${plan.shots}-shot sinusoid MSE ${mse} (${r.episodes} tasks) in ${duration(run.seconds)}`;
}

/** The JSON fields of a test run (accuracy as a fraction, ci95, episodes, ways, shots). */
export function testJson(run: TestRun): Record<string, unknown> {
  const { result: r, plan } = run;
  if (r.kind === "classification") {
    return { accuracy: r.accuracy, ci95: r.ci95, episodes: r.episodes, ways: plan.ways, shots: plan.shots, queries: plan.queries, ...(plan.steps !== undefined ? { steps: plan.steps } : {}) };
  }
  const nulls = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, jsonNumber(v)]));
  return { mse: nulls(r.mse), ci95: nulls(r.ci95), episodes: r.episodes, shots: plan.shots, queries: plan.queries };
}
