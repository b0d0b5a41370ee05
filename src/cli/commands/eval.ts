/**
 * `kshot eval --model FILE [--dataset D] [--data PATH] [--split S] [--ways N] [--shots K] [--queries Q]
 * [--episodes E] [--inner-steps S] [--inner-lr X] [--seed S] [--backend B] [--threads T] [--fast] [--json]`.
 * Defaults come from the checkpoint: its dataset, split and evaluation protocol (MAML on Omniglot: 3 inner
 * steps), then 600 episodes with 15 queries per class.
 */
import { parseShift } from "../../data/shift.ts";
import { KshotError } from "../../errors.ts";
import { disposeCheckpoint, load } from "../../io/checkpoint.ts";
import { checkAdaptOptions } from "../../meta/adapted-task.ts";
import { fromMetadata, storedEvaluation } from "../../train/algorithms.ts";
import { flag, type ParsedFlags, UsageError } from "../args.ts";
import { checkBackendName, startBackend } from "../backend.ts";
import type { Command } from "../command.ts";
import { describeData, openData, shiftedData } from "../data.ts";
import { EVAL_EPISODES } from "../defaults.ts";
import { runTest, type TestRun, testJson, testLine } from "../evaluation.ts";
import type { CliIO } from "../io.ts";
import { episodeProgress } from "../progress.ts";
import type { EvaluationPlan } from "../train-plan.ts";

const DEFAULT_QUERIES = 15;

export const evalCommand: Command = {
  name: "eval",
  summary: "test a checkpoint: accuracy (95% CI) over test episodes, or sinusoid MSE",
  synopsis: "--model FILE [options]",
  flags: ["model", "dataset", "data", "split", "ways", "shots", "queries", "episodes", "inner-steps", "inner-lr", "seed", "shift", "backend", "threads", "fast", "json"],
  notes: `Defaults come from the checkpoint: its dataset, folder, split and evaluation protocol; then ${EVAL_EPISODES} episodes with ${DEFAULT_QUERIES} queries per class.\n` +
    "The summary names the data folder and split it read.",
  run: evalRun,
};

async function evalRun(f: ParsedFlags, io: CliIO): Promise<number> {
  const path = flag.string(f, "model");
  if (!path) throw new UsageError("kshot eval: --model FILE.safetensors is required (a checkpoint written by kshot train)");
  const shift = flag.string(f, "shift");
  const domainShift = shift === undefined ? undefined : parseShift(shift);
  const backend = await startBackend(checkBackendName(flag.string(f, "backend") ?? "auto"), io.env, flag.number(f, "threads"), flag.on(f, "fast"));
  const checkpoint = await load(path);
  try {
    const { algorithm } = fromMetadata(checkpoint.metadata);
    const data = checkpoint.metadata.data ?? {};
    const dataset = flag.string(f, "dataset") ?? (typeof data.dataset === "string" ? data.dataset : undefined);
    if (!dataset) throw new KshotError(`kshot eval: ${path} names no dataset; pass --dataset`);
    // The stored data path and split belong to the stored dataset only.
    const same = dataset === data.dataset;
    const unshifted = await openData(dataset, {
      data: flag.string(f, "data") ?? (same && typeof data.path === "string" ? data.path : undefined),
      split: flag.string(f, "split") ?? (same && typeof data.split === "string" ? data.split : undefined),
      env: io.env,
    });
    const opened = domainShift === undefined ? unshifted : shiftedData(unshifted, domainShift);
    const stored = storedEvaluation(checkpoint.metadata);
    const num = (name: string, key: keyof typeof stored, fallback?: number): number | undefined => flag.number(f, name) ?? stored[key] ?? fallback;
    const innerSteps = flag.number(f, "inner-steps");
    checkAdaptOptions(algorithm, { steps: innerSteps, lr: flag.number(f, "inner-lr") }, { steps: "--inner-steps", lr: "--inner-lr" });
    const plan: EvaluationPlan = {
      ways: opened.kind === "sinusoid" ? 1 : num("ways", "ways", 5)!,
      shots: num("shots", "shots", opened.kind === "sinusoid" ? 10 : 1)!,
      queries: num("queries", "queries", DEFAULT_QUERIES)!,
      episodes: flag.number(f, "episodes") ?? EVAL_EPISODES,
      steps: num("inner-steps", "steps"),
      lr: num("inner-lr", "lr"),
      ...(opened.kind === "sinusoid" && innerSteps !== undefined ? { regressionSteps: [innerSteps] } : {}),
    };
    if (opened.kind === "sinusoid" && flag.number(f, "ways") !== undefined) throw new KshotError("sinusoid tasks are regression: --ways does not apply");
    const seed = flag.number(f, "seed") ?? 0;
    const progress = episodeProgress(io, `${opened.name} test`);
    let run: TestRun;
    try {
      run = await runTest(algorithm, checkpoint.params, opened, plan, seed, io.interrupt, progress.update);
    } finally {
      progress.stop();
    }
    const line = `${algorithm.name} (${path}) on ${describeData(opened)}, test classes, ${backend.label} backend — ${testLine(run)}`;
    if (flag.on(f, "json")) {
      io.err(line);
      io.out(JSON.stringify({
        ...testJson(run), algorithm: algorithm.name, dataset: opened.name, split: opened.split, ...(opened.path ? { data: opened.path } : {}), ...(shift ? { shift } : {}),
        backend: backend.name, threads: backend.threads, deterministic: backend.deterministic, seconds: run.seconds,
      }));
    } else {
      io.out(line);
    }
    return 0;
  } finally {
    disposeCheckpoint(checkpoint);
  }
}
