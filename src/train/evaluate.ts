/**
 * `ks.evaluate`: how well meta-parameters adapt to new tasks.
 * - Classification: the mean query accuracy over E episodes and its 95% confidence interval
 *   1.96·σ/√E (σ the standard deviation of the per-episode accuracies, as the papers' code computes it).
 * - Regression (sinusoid): the query MSE after 1, 5 and 10 inner steps (or the given ones) on the same
 *   episodes, each with its interval.
 * Episodes are adapted in chunks of several tasks at once (one batched computation), which gives the
 * same per-episode results as one at a time: every task has its own weights and BatchNorm statistics.
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import type { MetaAlgorithm } from "../meta/algorithm.ts";
import { cast, equal, square, sub } from "../ops/elementwise.ts";
import { argmax, mean } from "../ops/reduce.ts";
import { BatchStream, disposeTaskBatch, isClassification, type TaskSource } from "./batches.ts";

export interface EvaluateOptions {
  /** Number of test episodes E (default 600). */
  episodes?: number;
  /** Inner steps when adapting (default: the algorithm's evaluation setting); regression: see `regressionSteps`. */
  steps?: number;
  /** Inner step size (default: the algorithm's evaluation setting). */
  lr?: number;
  /** Regression: the step counts to report (default [1, 5, 10], or [steps] when `steps` is given). */
  regressionSteps?: readonly number[];
  /** Tasks adapted at once (default: as many as fit a modest memory budget, at most 100). */
  batch?: number;
  /** Stops between chunks; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each chunk with the episodes done. */
  onProgress?: (done: number, total: number) => void;
}

export interface ClassificationEvaluation {
  kind: "classification";
  /** Mean query accuracy, a fraction. */
  accuracy: number;
  /** Half-width of the 95% confidence interval of the mean: 1.96·σ/√E. */
  ci95: number;
  episodes: number;
  /** Per-episode accuracies. */
  perEpisode: Float64Array;
  /** Mean query loss. */
  loss: number;
}

export interface RegressionEvaluation {
  kind: "regression";
  /** Mean query MSE after each number of inner steps, keyed by that number. */
  mse: Record<string, number>;
  ci95: Record<string, number>;
  episodes: number;
}

export type EvaluationResult = ClassificationEvaluation | RegressionEvaluation;

/** Mean and 95% half-interval of per-episode values (population σ, as numpy's default). */
export function meanAndCi95(values: ArrayLike<number>): { mean: number; ci95: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, ci95: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const m = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - m) ** 2;
  return { mean: m, ci95: (1.96 * Math.sqrt(sq / n)) / Math.sqrt(n) };
}

/** Values in one task (examples × input values): sizes the evaluation chunks. */
const CHUNK_VALUES = 250_000;

function chunkSize(source: TaskSource, option: number | undefined): number {
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 1) throw new KshotError(`evaluate: expected batch to be a positive integer, got ${option}`);
    return option;
  }
  const probe = (source as { shots?: number; queries?: number; ways?: number; source?: { shape: number[] } });
  const examples = (probe.ways ?? 1) * ((probe.shots ?? 1) + (probe.queries ?? 1));
  const values = probe.source ? probe.source.shape.reduce((a, b) => a * b, 1) : 1;
  return Math.max(1, Math.min(100, Math.floor(CHUNK_VALUES / Math.max(1, examples * values))));
}

function checkEpisodes(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new KshotError(`evaluate: expected episodes to be a positive integer, got ${n}`);
  return n;
}

/** An accuracy computed from NaN outputs would look like chance: a non-finite result is an error. */
function checkFinite(what: string, value: number, done: number, n: number): void {
  if (!Number.isFinite(value)) {
    throw new KshotError(`evaluate: the ${what} of episodes ${done + 1}..${done + n} is ${value}: the parameters, the data or the step size hold or produce NaN/Infinity`);
  }
}

/** Accuracy (classification) or MSE after 1/5/10 steps (regression) of `params` over test episodes. */
export async function evaluate(
  algo: MetaAlgorithm,
  params: TensorRecord,
  tasks: TaskSource,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const episodes = checkEpisodes(options.episodes ?? 600);
  const chunk = chunkSize(tasks, options.batch);
  const stream = new BatchStream(tasks, algo.model.inputShape);
  const classification = isClassification(tasks);
  if (classification !== (algo.loss === "cross_entropy")) {
    throw new KshotError(`evaluate: ${algo.name} with ${algo.loss} loss cannot be evaluated on ${classification ? "classification episodes" : "regression tasks"}`);
  }
  const stepCounts = options.regressionSteps ?? (options.steps !== undefined ? [options.steps] : [1, 5, 10]);
  for (const s of stepCounts) {
    if (!Number.isInteger(s) || s < 0) throw new KshotError(`evaluate: expected inner step counts to be non-negative integers, got ${s}`);
  }
  const perEpisode = classification ? [new Float64Array(episodes)] : stepCounts.map(() => new Float64Array(episodes));
  let lossSum = 0;
  for (let done = 0; done < episodes;) {
    if (options.signal?.aborted) throw options.signal.reason ?? new KshotError("evaluate: aborted");
    const n = Math.min(chunk, episodes - done);
    const batch = stream.next(n);
    try {
      if (classification) {
        const [acc, loss] = tidy(() => {
          const r = algo.evaluate(params, batch, { steps: options.steps, lr: options.lr });
          const correct = cast(equal(argmax(r.predictions, -1), batch.query.y), "float32");
          return [mean(correct, 1), r.loss];
        });
        perEpisode[0]!.set(await acc.data(), done);
        const value = (await loss.data())[0]!;
        acc.dispose();
        loss.dispose();
        checkFinite("query loss", value, done, n);
        lossSum += value * n;
      } else {
        for (let i = 0; i < stepCounts.length; i++) {
          const mse = tidy(() => {
            const r = algo.evaluate(params, batch, { steps: stepCounts[i], lr: options.lr });
            return mean(square(sub(r.predictions, batch.query.y)), [1, 2]);
          });
          const values = await mse.data();
          mse.dispose();
          values.forEach((v) => checkFinite(`MSE after ${stepCounts[i]} steps`, v, done, n));
          perEpisode[i]!.set(values, done);
        }
      }
    } finally {
      disposeTaskBatch(batch);
    }
    done += n;
    options.onProgress?.(done, episodes);
  }
  if (classification) {
    const { mean: accuracy, ci95 } = meanAndCi95(perEpisode[0]!);
    return { kind: "classification", accuracy, ci95, episodes, perEpisode: perEpisode[0]!, loss: lossSum / episodes };
  }
  const mse: Record<string, number> = {};
  const ci95: Record<string, number> = {};
  stepCounts.forEach((s, i) => {
    const r = meanAndCi95(perEpisode[i]!);
    mse[String(s)] = r.mean;
    ci95[String(s)] = r.ci95;
  });
  return { kind: "regression", mse, ci95, episodes };
}
