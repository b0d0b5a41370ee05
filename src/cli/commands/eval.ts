/**
 * `kshot eval --model FILE [--dataset D] [--data PATH] [--split S] [--ways N] [--shots K] [--queries Q]
 * [--episodes E] [--inner-steps S] [--inner-lr X] [--seed S] [--backend B] [--threads T] [--fast] [--json]`.
 * Defaults come from the checkpoint: its dataset, split and evaluation protocol (MAML on Omniglot: 3 inner
 * steps), then 600 episodes with 15 queries per class.
 */
import { KshotError } from "../../errors.ts";
import { disposeCheckpoint, load } from "../../io/checkpoint.ts";
import { fromMetadata, storedEvaluation } from "../../train/algorithms.ts";
import { flag, type FlagSpec, parseFlags, UsageError } from "../args.ts";
import { startBackend } from "../backend.ts";
import { openData } from "../data.ts";
import { EVAL_EPISODES } from "../defaults.ts";
import { runTest, testJson, testLine } from "../evaluation.ts";
import type { CliIO } from "../io.ts";
import type { EvaluationPlan } from "../train-plan.ts";

export const EVAL_FLAGS: FlagSpec = {
  model: "string", dataset: "string", data: "string", split: "string", ways: "positive-integer",
  shots: "positive-integer", queries: "positive-integer", episodes: "positive-integer", "inner-steps": "integer",
  "inner-lr": "positive-number", seed: "integer", backend: "string", threads: "positive-integer", fast: "switch", json: "switch",
};

const DEFAULT_QUERIES = 15;

export async function evalCommand(args: readonly string[], io: CliIO): Promise<number> {
  const f = parseFlags("eval", args, EVAL_FLAGS);
  const path = flag.string(f, "model");
  if (!path) throw new UsageError("kshot eval: --model FILE.safetensors is required (a checkpoint written by kshot train)");
  const backend = await startBackend(flag.string(f, "backend") ?? "auto", io.env, flag.number(f, "threads"), flag.on(f, "fast"));
  const checkpoint = await load(path);
  try {
    const { algorithm } = fromMetadata(checkpoint.metadata);
    const data = checkpoint.metadata.data ?? {};
    const dataset = flag.string(f, "dataset") ?? (typeof data.dataset === "string" ? data.dataset : undefined);
    if (!dataset) throw new KshotError(`kshot eval: ${path} names no dataset; pass --dataset`);
    // The stored data path and split belong to the stored dataset only.
    const same = dataset === data.dataset;
    const opened = await openData(dataset, {
      data: flag.string(f, "data") ?? (same && typeof data.path === "string" ? data.path : undefined),
      split: flag.string(f, "split") ?? (same && typeof data.split === "string" ? data.split : undefined),
      env: io.env,
    });
    const stored = storedEvaluation(checkpoint.metadata);
    const num = (name: string, key: keyof typeof stored, fallback?: number): number | undefined => flag.number(f, name) ?? stored[key] ?? fallback;
    const innerSteps = flag.number(f, "inner-steps");
    const adapts = algorithm.options.evalSteps !== undefined || algorithm.name === "finetune";
    if (!adapts && (innerSteps !== undefined || flag.number(f, "inner-lr") !== undefined)) {
      throw new KshotError(`${algorithm.name} does not adapt by gradient steps: --inner-steps and --inner-lr do not apply`);
    }
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
    const run = await runTest(algorithm, checkpoint.params, opened, plan, seed, io.interrupt);
    const line = `${algorithm.name} (${path}) on ${opened.name} ${opened.split} test, ${backend.label} backend — ${testLine(run)}`;
    if (flag.on(f, "json")) {
      io.err(line);
      io.out(JSON.stringify({ ...testJson(run), algorithm: algorithm.name, dataset: opened.name, split: opened.split, backend: backend.name, threads: backend.threads, deterministic: backend.deterministic, seconds: run.seconds }));
    } else {
      io.out(line);
    }
    return 0;
  } finally {
    disposeCheckpoint(checkpoint);
  }
}
