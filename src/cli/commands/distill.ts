/**
 * `kshot distill --teacher T.safetensors --hidden H --out S.safetensors [--algo A] [--iterations I | --minutes M]
 * [--temperature T] [--hard-weight W] [--data PATH] [--meta-lr Y] [--seed S] [--backend B] [--threads T] [--fast]
 * [--eval] [--episodes E] [--json]`: trains a Conv-4 student with H filters on the teacher's episodes to
 * match its episode logits (Hinton et al. 2015, src/meta/distill.ts). Everything else comes from the
 * teacher's checkpoint: dataset, split, augmentation, episode shape, optimizer, schedule, iteration budget
 * and evaluation protocol. The student's algorithm is the teacher's unless --algo names another.
 */
import { KshotError } from "../../errors.ts";
import { type Checkpoint, disposeCheckpoint, load } from "../../io/checkpoint.ts";
import { Rng } from "../../rng.ts";
import { disposeTensors } from "../../tree.ts";
import { checkAlgorithmName, createAlgorithm, fromMetadata } from "../../train/algorithms.ts";
import { distill } from "../../train/distill.ts";
import { flag, type ParsedFlags, UsageError } from "../args.ts";
import { checkBackendName, startBackend } from "../backend.ts";
import type { Command } from "../command.ts";
import { describeData, openData, taskSource } from "../data.ts";
import { DISTILLATION } from "../defaults.ts";
import { runTest, type TestRun, testJson, testLine } from "../evaluation.ts";
import { duration, jsonNumber, loss, percent } from "../format.ts";
import type { CliIO } from "../io.ts";
import { checkOutputFile } from "../output-file.ts";
import { episodeProgress, progressView } from "../progress.ts";
import { planFromCheckpoint, planMetadata, type TrainPlan } from "../train-plan.ts";
import { buildModel, checkpointCadence, recent, trainingClasses, validationOptions } from "./train.ts";

export const distillCommand: Command = {
  name: "distill",
  summary: "train a smaller student to match a meta-trained teacher's episode logits (knowledge distillation)",
  synopsis: "--teacher FILE --hidden H --out FILE.safetensors [options]",
  flags: ["teacher", "hidden", "out", "algo", "iterations", "minutes", "temperature", "hard-weight", "data", "meta-lr", "seed",
    "backend", "threads", "fast", "eval", "episodes", "json"],
  notes: "The episodes, optimizer, schedule, budget and evaluation protocol are the teacher's (its checkpoint metadata).\n" +
    `Loss: T²·KL(soft teacher ‖ soft student) + W·cross-entropy; ${DISTILLATION.source}.\n` +
    "The student checkpoint loads like any other (kshot eval --model, ks.Learner).",
  run: distillRun,
};

/** The teacher's training plan with the student's size, budget, seed, learning rate and data folder. */
export function distillPlan(f: ParsedFlags, teacher: Checkpoint, hidden: number): TrainPlan {
  const budget = Object.fromEntries(["iterations", "minutes", "episodes"].filter((k) => f[k] !== undefined).map((k) => [k, f[k]!]));
  const m = teacher.metadata;
  if (m.training?.ways === undefined || m.data?.dataset === undefined) {
    throw new KshotError("--teacher: the checkpoint lacks the training metadata kshot train writes (training, data)");
  }
  if (budget.iterations === undefined && budget.minutes === undefined && typeof m.training.iterations !== "number") {
    throw new UsageError("kshot distill: the teacher stores no iteration budget: give --iterations or --minutes");
  }
  const plan = planFromCheckpoint(budget, { ...m, iteration: undefined });
  return {
    ...plan,
    algorithm: checkAlgorithmName(flag.string(f, "algo") ?? plan.algorithm),
    hidden,
    seed: flag.number(f, "seed") ?? plan.seed,
    optimizer: { ...plan.optimizer, lr: flag.number(f, "meta-lr") ?? plan.optimizer.lr },
    data: flag.string(f, "data") ?? plan.data,
  };
}

function required(f: ParsedFlags): { out: string; teacherPath: string; hidden: number } {
  const out = flag.string(f, "out");
  const teacherPath = flag.string(f, "teacher");
  const hidden = flag.number(f, "hidden");
  if (!teacherPath) throw new UsageError("kshot distill: --teacher FILE.safetensors is required (a checkpoint written by kshot train)");
  if (hidden === undefined) throw new UsageError("kshot distill: --hidden H is required (the student's Conv-4 filters, e.g. 16)");
  if (!out) throw new UsageError("kshot distill: --out FILE.safetensors is required (where the student goes)");
  return { out, teacherPath, hidden };
}

async function distillRun(f: ParsedFlags, io: CliIO): Promise<number> {
  const { out, teacherPath, hidden } = required(f);
  const json = flag.on(f, "json");
  const say = json ? io.err : io.out;
  const backendName = checkBackendName(flag.string(f, "backend") ?? "auto");
  await checkOutputFile(out);
  const backend = await startBackend(backendName, io.env, flag.number(f, "threads"), flag.on(f, "fast"));
  const teacher = await load(teacherPath);
  try {
    const plan = distillPlan(f, teacher, hidden);
    const { algorithm: teacherAlgo } = fromMetadata(teacher.metadata);
    const data = await openData(plan.dataset, { data: plan.data, split: plan.split, env: io.env });
    const augment = plan.augment ?? data.parts?.defaultAugment ?? "none";
    const root = new Rng(plan.seed);
    const tasks = taskSource(data, "train", plan, root.fork("train"), augment);
    const sameAlgorithm = plan.algorithm === teacherAlgo.name;
    const student = createAlgorithm(plan.algorithm, buildModel(plan, data), sameAlgorithm ? teacher.metadata.algorithm!.options : { loss: "cross_entropy" }, { trainingClasses: trainingClasses(tasks) });
    const temperature = flag.number(f, "temperature") ?? DISTILLATION.temperature;
    const hardWeight = flag.number(f, "hard-weight") ?? DISTILLATION.hardWeight;
    io.err(`kshot distill: ${student.name} Conv-4 with ${hidden} filters from ${teacherAlgo.name} (${teacherPath}, ${teacherAlgo.model.config.hidden} filters) on ${describeData(data)} ` +
      `(${plan.ways}-way ${plan.shots}-shot, ${plan.queries} queries per class), T ${temperature}, hard weight ${hardWeight}, ` +
      `budget ${plan.iterations !== undefined ? `${plan.iterations} iterations` : `${plan.minutes} minutes`}, backend ${backend.label}`);
    const view = progressView(io, plan.iterations === undefined ? plan.minutes! * 60 : undefined);
    const validation = validationOptions(plan, data, root.fork("validation"), io);
    let result: Awaited<ReturnType<typeof distill>>;
    try {
      result = await distill({ algorithm: teacherAlgo, params: teacher.params }, student, tasks, {
        temperature, hardWeight,
        metaBatch: plan.metaBatch, iterations: plan.iterations, minutes: plan.minutes,
        optimizer: { kind: plan.optimizer.kind, lr: plan.optimizer.lr }, schedule: plan.schedule, seed: plan.seed,
        logEvery: 1, onProgress: (p) => view.update(p), signal: io.interrupt, validation,
        checkpoint: { path: out, ...checkpointCadence(plan, validation), metadata: planMetadata(plan, augment, data) },
      });
    } finally {
      view.stop();
    }
    try {
      if (result.stopped === "non-finite") throw new KshotError(`distillation stopped at iteration ${result.iterations}: ${result.skipped} steps were not finite; try a smaller --meta-lr`);
      if (result.stopped === "aborted") {
        io.err(`kshot distill: interrupted at iteration ${result.iterations}; the student so far is in ${out}`);
        return 130;
      }
      const lastLoss = recent(result.history, "loss") ?? result.loss;
      const lastAccuracy = recent(result.history, "accuracy") ?? result.accuracy;
      say(`distilled ${student.name} (${hidden} filters) on ${describeData(data)}, ${backend.label} backend: ${result.iterations} iterations in ${duration(result.seconds)}, ` +
        `last loss ${loss(lastLoss)}${lastAccuracy !== undefined ? `, training accuracy ${percent(lastAccuracy, 1)}` : ""}; saved ${out}`);
      let test: TestRun | undefined;
      if (flag.on(f, "eval")) {
        const progress = episodeProgress(io, `${data.name} test`);
        try {
          test = await runTest(student, result.params, data, plan.evaluation, plan.seed, io.interrupt, progress.update);
        } finally {
          progress.stop();
        }
        say(`${testLine(test)} on ${describeData(data)}`);
      }
      if (json) {
        io.out(JSON.stringify({
          iterations: result.iterations, seconds: result.seconds, loss: jsonNumber(lastLoss), out, teacher: teacherPath, hidden, temperature, hardWeight,
          algorithm: student.name, dataset: data.name, split: data.split, backend: backend.name, threads: backend.threads,
          ...(lastAccuracy !== undefined ? { trainAccuracy: lastAccuracy } : {}),
          ...(test ? { eval: { ...testJson(test), seconds: test.seconds } } : {}),
        }));
      }
      return 0;
    } finally {
      disposeTensors(result.params);
    }
  } finally {
    disposeCheckpoint(teacher);
  }
}
