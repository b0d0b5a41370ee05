/**
 * `kshot train --algo A --dataset D [--data PATH] [--split S] [--augment rot90|none] [--ways N] [--shots K]
 * [--queries Q] [--meta-batch B] [--inner-steps S] [--inner-lr X] [--meta-lr Y] [--normalize support|both] [--iterations I | --minutes M]
 * [--eval-every N] [--patience P] [--seed S] [--backend B] [--threads T] [--fast] [--hidden H] --out FILE.safetensors
 * [--resume FILE] [--eval] [--episodes E] [--json]`. kshot's own: --hidden (Conv-4 filters, default 64), --eval (test
 * after training), --episodes (test episodes of --eval, default 600; validation runs min(E, 50) episodes),
 * --eval-every and --patience (early stopping on validation accuracy, as Snell et al. 2017 do).
 */
import { KshotError } from "../../errors.ts";
import { type Checkpoint, disposeCheckpoint, load } from "../../io/checkpoint.ts";
import type { MetaAlgorithm } from "../../meta/algorithm.ts";
import { conv4 } from "../../nn/conv4.ts";
import { mlp } from "../../nn/mlp.ts";
import type { Model } from "../../nn/model.ts";
import { describeSchedule } from "../../optim/schedule.ts";
import { Rng } from "../../rng.ts";
import { disposeTensors } from "../../tree.ts";
import { createAlgorithm, needsHead, type AlgorithmOptions } from "../../train/algorithms.ts";
import type { TaskSource } from "../../train/batches.ts";
import { train, type ValidationOptions } from "../../train/train.ts";
import type { TrainProgress } from "../../train/train-options.ts";
import { flag, type ParsedFlags, UsageError } from "../args.ts";
import { checkBackendName, startBackend } from "../backend.ts";
import type { Command } from "../command.ts";
import { describeData, imageShape, type OpenedData, openData, taskSource } from "../data.ts";
import { SINUSOID_MLP } from "../defaults.ts";
import { runTest, type TestRun, testJson, testLine } from "../evaluation.ts";
import { duration, jsonNumber, loss, percent, rate } from "../format.ts";
import type { CliIO } from "../io.ts";
import { checkOutputFile } from "../output-file.ts";
import { episodeProgress, progressView } from "../progress.ts";
import { planFromCheckpoint, planFromFlags, planMetadata, type TrainPlan } from "../train-plan.ts";

export const trainCommand: Command = {
  name: "train",
  summary: "meta-train a model and write it as a checkpoint",
  synopsis: "--out FILE.safetensors [options]",
  flags: ["out", "algo", "dataset", "data", "split", "augment", "ways", "shots", "queries", "meta-batch", "inner-steps", "inner-lr", "meta-lr",
    "normalize", "iterations", "minutes", "eval-every", "patience", "seed", "backend", "threads", "fast", "hidden", "auxiliary", "metric", "embedding", "resume", "eval", "episodes", "json"],
  notes: "Every option but --out defaults to the algorithm's published setting for the dataset (src/cli/defaults.ts).\n" +
    "Checkpoints are written during training too (at least every minute), so an interrupted run resumes with --resume.\n" +
    "The omniglot dataset is read from --data, else $KSHOT_OMNIGLOT; its default split is lake.",
  run: trainRun,
};

/** Episodes per validation run, and how many validations a budget gets. */
const VALIDATION_EPISODES = 50;
const VALIDATIONS_PER_RUN = 5;
/** A timed run validates at most once a minute of training, so short runs spend their time training. */
const MIN_VALIDATION_SPACING_S = 60;
/** A timed run writes its checkpoint 10 times over its budget, at least every 5 s and at most every 60 s. */
const CHECKPOINTS_PER_RUN = 10;
const CHECKPOINT_SPACING_S: readonly [number, number] = [5, 60];

export function checkpointCadence(plan: TrainPlan, validation: ValidationOptions | undefined): { every: number } | { everySeconds: number } {
  if (validation?.every !== undefined) return { every: validation.every };
  const [low, high] = CHECKPOINT_SPACING_S;
  const minutes = plan.minutes ?? Infinity;
  return { everySeconds: Math.min(high, Math.max(low, (minutes * 60) / CHECKPOINTS_PER_RUN)) };
}

/** Reports (one per iteration) the summary's loss and accuracy average over, so that one step's noise does not show. */
export const SUMMARY_REPORTS = 10;

export function recent(history: readonly TrainProgress[], key: "loss" | "accuracy"): number | undefined {
  const values = history.slice(-SUMMARY_REPORTS).map((p) => p[key]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

export function buildModel(plan: TrainPlan, data: OpenedData): Model {
  if (data.kind === "sinusoid") return mlp([...SINUSOID_MLP]);
  const [channels, size] = imageShape(data);
  return conv4({ hidden: plan.hidden, ways: needsHead(plan.algorithm) ? plan.ways : 0, channels, size });
}

/** The plan's algorithm options: each algorithm reads those it has (see its registry entry). */
function algorithmOptions(plan: TrainPlan): AlgorithmOptions {
  return {
    ...plan.options,
    innerSteps: plan.innerSteps, innerLr: plan.innerLr, evalSteps: plan.evalSteps, evalLr: plan.evalLr,
    loss: plan.kind === "sinusoid" ? "mse" : "cross_entropy",
  };
}

/** Classes of the training tasks' source (image datasets), for algorithms that pre-train on all of them. */
export function trainingClasses(tasks: TaskSource): number | undefined {
  const classes = (tasks as { source?: { numClasses?: unknown } }).source?.numClasses;
  return typeof classes === "number" ? classes : undefined;
}

/** Validation on the split's validation part with the evaluation protocol (narrowed to the classes there). */
export function validationOptions(plan: TrainPlan, data: OpenedData, rng: Rng, io: CliIO, f?: ParsedFlags): ValidationOptions | undefined {
  const every = f && flag.number(f, "eval-every");
  const patience = f && flag.number(f, "patience");
  const cadence = every !== undefined ? { every } : plan.iterations !== undefined
    ? { every: Math.max(1, Math.ceil(plan.iterations / VALIDATIONS_PER_RUN)) }
    : { everySeconds: Math.max((plan.minutes! * 60) / VALIDATIONS_PER_RUN, MIN_VALIDATION_SPACING_S) };
  const e = plan.evaluation;
  const classes = data.parts?.validation.numClasses ?? Infinity;
  try {
    const tasks = taskSource(data, "validation", { ways: Math.min(e.ways, classes), shots: e.shots, queries: e.queries }, rng);
    return { tasks, episodes: Math.min(VALIDATION_EPISODES, plan.evaluation.episodes), steps: e.steps, lr: e.lr, ...cadence, ...(patience !== undefined ? { patience } : {}) };
  } catch (err) {
    if (patience !== undefined || every !== undefined) throw new KshotError(`--patience and --eval-every need validation episodes: ${(err as Error).message}`);
    io.err(`kshot train: no validation (${(err as Error).message})`);
    return undefined;
  }
}

/** A KshotError when --auxiliary asks for a loss the algorithm does not add (its options say what it took). */
function checkAuxiliary(plan: TrainPlan, algo: MetaAlgorithm): void {
  const asked = plan.options.auxiliary;
  if (asked !== undefined && asked !== "none" && algo.options.auxiliary !== asked) {
    throw new KshotError(`--auxiliary ${asked}: ${algo.name} has no auxiliary loss (protonet has)`);
  }
}

/** --embedding applies to the methods that embed support and query (they store a choice that is not the default). */
function checkEmbeddingFlag(plan: TrainPlan, probe: () => MetaAlgorithm): void {
  if (plan.options.embedding !== undefined && probe().options.embedding === undefined) {
    throw new KshotError(`--embedding does not apply to ${plan.algorithm} (protonet and matchingnet embed support and query sets)`);
  }
}

/** With early stopping: where the run stopped and which validated model --out keeps. */
function bestLine(result: Awaited<ReturnType<typeof train>>, validation: ValidationOptions): string {
  const best = result.best!;
  const score = result.validation?.kind === "regression" ? `validation MSE ${loss(-best.score)}` : `validation accuracy ${percent(best.score, 1)}`;
  const why = result.stopped === "patience" ? `stopped early at iteration ${result.iterations} (${validation.patience} validations without improvement)` : `ran to iteration ${result.iterations}`;
  return `kshot train: ${why}; keeps the best model, iteration ${best.iteration} (${score})`;
}

function describePlan(plan: TrainPlan, data: OpenedData, augment: string, backend: string, algo: MetaAlgorithm): string {
  const episodes = data.kind === "sinusoid"
    ? `K=${plan.shots} (${plan.queries} query points)`
    : `${plan.ways}-way ${plan.shots}-shot, ${plan.queries} queries per class, augment ${augment}${algo.options.embedding === "separate" ? ", support and query embedded separately" : ""}`;
  const inner = plan.innerSteps !== undefined ? `, ${plan.innerSteps} inner step${plan.innerSteps === 1 ? "" : "s"}${plan.innerLr !== undefined ? ` of ${plan.innerLr}` : ""}` : "";
  const budget = [plan.iterations !== undefined ? `${plan.iterations} iterations` : "", plan.minutes !== undefined ? `${plan.minutes} minutes` : ""].filter(Boolean).join(" or ");
  return `kshot train: ${algo.name} on ${describeData(data)} (${episodes}), meta-batch ${plan.metaBatch}${inner}, ` +
    `${plan.optimizer.kind} ${plan.optimizer.lr} (${describeSchedule(plan.schedule)}), budget ${budget}, backend ${backend}`;
}

async function trainRun(f: ParsedFlags, io: CliIO): Promise<number> {
  const out = flag.string(f, "out");
  if (!out) throw new UsageError("kshot train: --out FILE.safetensors is required (where the trained model goes)");
  const json = flag.on(f, "json");
  const say = json ? io.err : io.out;
  const backendName = checkBackendName(flag.string(f, "backend") ?? "auto");
  if (!flag.string(f, "resume")) planFromFlags(f); // every setting checked before any work
  await checkOutputFile(out);
  const backend = await startBackend(backendName, io.env, flag.number(f, "threads"), flag.on(f, "fast"));

  const resumePath = flag.string(f, "resume");
  let resume: Checkpoint | undefined;
  try {
    if (resumePath) resume = await load(resumePath);
    const plan = resume ? planFromCheckpoint(f, resume.metadata) : planFromFlags(f);
    const data = await openData(plan.dataset, { data: plan.data, split: plan.split, env: io.env });
    const augment = plan.augment ?? data.parts?.defaultAugment ?? "none";
    const root = new Rng(plan.seed);
    const trainTasks = taskSource(data, "train", plan, root.fork("train"), augment);
    const model = buildModel(plan, data);
    const context = { trainingClasses: trainingClasses(trainTasks) };
    const algo = createAlgorithm(plan.algorithm, model, algorithmOptions(plan), context);
    checkAuxiliary(plan, algo);
    checkEmbeddingFlag(plan, () => createAlgorithm(plan.algorithm, model, { ...algorithmOptions(plan), embedding: "separate" }, context));
    if (plan.options.metric !== undefined && algo.options.metric === undefined) throw new KshotError(`--metric does not apply to ${algo.name}`);
    io.err(describePlan(plan, data, augment, backend.label, algo));
    if (resume) io.err(`resuming ${resumePath} at iteration ${resume.metadata.iteration}`);

    const view = progressView(io, plan.iterations === undefined ? plan.minutes! * 60 : undefined);
    const validation = validationOptions(plan, data, root.fork("validation"), io, f);
    let result: Awaited<ReturnType<typeof train>>;
    try {
      result = await train(algo, trainTasks, {
        metaBatch: plan.metaBatch, iterations: plan.iterations, minutes: plan.minutes,
        optimizer: resume ? undefined : { kind: plan.optimizer.kind, lr: plan.optimizer.lr },
        schedule: plan.schedule, seed: plan.seed, resume,
        // A report every iteration (one small read): the progress line moves with each step.
        logEvery: 1, onProgress: (p) => view.update(p), signal: io.interrupt,
        validation,
        checkpoint: { path: out, ...checkpointCadence(plan, validation), metadata: planMetadata(plan, augment, data) },
      });
    } finally {
      view.stop();
    }
    try {
      if (result.stopped === "non-finite") {
        throw new KshotError(`training stopped at iteration ${result.iterations}: ${result.skipped} steps had a non-finite loss or gradient and were skipped; ` +
          `${out} holds the last finite parameters. Try a smaller --meta-lr${plan.innerLr !== undefined ? " or --inner-lr" : ""}`);
      }
      if (result.stopped === "aborted") {
        io.err(`kshot train: interrupted at iteration ${result.iterations}; checkpoint saved to ${out} (continue with --resume ${out})`);
        return 130;
      }
      if (result.best) say(bestLine(result, validation!));
      const lastLoss = recent(result.history, "loss") ?? result.loss;
      const lastAccuracy = recent(result.history, "accuracy") ?? result.accuracy;
      const trainAccuracy = lastAccuracy !== undefined ? `, training accuracy ${percent(lastAccuracy, 1)}` : "";
      say(`${algo.name} on ${describeData(data)}, ${backend.label} backend: ${result.iterations} iterations in ${duration(result.seconds)} ` +
        `(${rate(((result.iterations - (resume?.metadata.iteration ?? 0)) * plan.metaBatch) / Math.max(result.seconds, 1e-9))} tasks/s), ` +
        `last loss ${loss(lastLoss)}${trainAccuracy} (mean of the last ${Math.min(SUMMARY_REPORTS, result.history.length)} iterations); saved ${out}`);
      let test: TestRun | undefined;
      if (flag.on(f, "eval")) {
        const progress = episodeProgress(io, `${data.name} test`);
        try {
          test = await runTest(algo, result.params, data, plan.evaluation, plan.seed, io.interrupt, progress.update);
        } finally {
          progress.stop();
        }
        say(`${testLine(test)} on ${describeData(data)}`);
      }
      if (json) {
        io.out(JSON.stringify({
          iterations: result.iterations, seconds: result.seconds, loss: jsonNumber(lastLoss), out,
          algorithm: algo.name, dataset: data.name, split: data.split, ...(data.path ? { data: data.path } : {}), backend: backend.name, threads: backend.threads, deterministic: backend.deterministic,
          ...(lastAccuracy !== undefined ? { trainAccuracy: lastAccuracy } : {}),
          ...(result.skipped ? { skipped: result.skipped } : {}),
          ...(result.best ? { stopped: result.stopped, best: { iteration: result.best.iteration, [result.validation?.kind === "regression" ? "mse" : "accuracy"]: Math.abs(result.best.score) } } : {}),
          ...(test ? { eval: { ...testJson(test), seconds: test.seconds } } : {}),
        }));
      }
      return 0;
    } finally {
      disposeTensors(result.params);
    }
  } finally {
    if (resume) disposeCheckpoint(resume);
  }
}
