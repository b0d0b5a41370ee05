/**
 * The episodes and initial parameters of a `kshot train` run, for the PyTorch reference of the parity
 * harness (tools/parity/README.md). It resolves the run from the same flags and in the same way as
 * `kshot train` (planFromFlags, openData, taskSource with the run's seed forks, algo.init), then writes to
 * $PARITY_OUT:
 * - `init.safetensors`: the parameters `kshot train` starts from (a kshot checkpoint at iteration 0);
 * - `train.bin`: the first $PARITY_ITERATIONS meta-batches of the training sampler, in the order training
 *   draws them; `validation.bin`: the validation episodes (the ones every validation of the run uses);
 *   each episode as support images, query images (uint8, value·255, checked exact), then the labels (uint8);
 * - `train-classes.bin`: the source class behind each way of each training task (int32 little-endian,
 *   [iterations, tasks, ways]), which the fine-tuning baseline pre-trains on as labels;
 * - `run.json`: shapes, the plan (optimizer, schedule, algorithm options) and the files' layout.
 * Usage (bundled by tools/parity/run.mjs): PARITY_OUT=DIR PARITY_ITERATIONS=N node export.mjs <kshot train flags>
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseFlags } from "../../src/cli/args.ts";
import { imageShape, openData, taskSource } from "../../src/cli/data.ts";
import { flagSpec } from "../../src/cli/flags.ts";
import { buildModel, trainCommand, trainingClasses } from "../../src/cli/commands/train.ts";
import { planFromFlags } from "../../src/cli/train-plan.ts";
import type { EpisodeBatch } from "../../src/data/tasks.ts";
import { init } from "../../src/init.ts";
import { serialize } from "../../src/io/checkpoint.ts";
import { Rng } from "../../src/rng.ts";
import { createAlgorithm } from "../../src/train/algorithms.ts";
import type { TaskSource } from "../../src/train/batches.ts";

/** Validation episodes of `kshot train` (its VALIDATION_EPISODES cap). */
const VALIDATION_EPISODES = 50;

function bytesOf(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const u = Math.round(values[i]! * 255);
    if (Math.abs(u / 255 - values[i]!) > 1e-6) throw new Error(`pixel ${values[i]} is not a multiple of 1/255`);
    out[i] = u;
  }
  return out;
}

/** `batches` meta-batches of `source` to `path` (and each task's source classes to `classesPath`, when given). */
function writeEpisodes(path: string, source: TaskSource, batches: number, perBatch: number, classesPath?: string): void {
  const fd = openSync(path, "w");
  const classesFd = classesPath ? openSync(classesPath, "w") : undefined;
  try {
    for (let i = 0; i < batches; i++) {
      const b = source.nextBatch(perBatch) as EpisodeBatch;
      for (const part of [bytesOf(b.support), bytesOf(b.query), Uint8Array.from(b.supportLabels), Uint8Array.from(b.queryLabels)]) writeSync(fd, part);
      if (classesFd !== undefined) writeSync(classesFd, new Uint8Array(Int32Array.from(b.classes).buffer));
    }
  } finally {
    closeSync(fd);
    if (classesFd !== undefined) closeSync(classesFd);
  }
}

async function main(): Promise<void> {
  const out = process.env.PARITY_OUT ?? "";
  const iterations = Number(process.env.PARITY_ITERATIONS);
  if (!out || !(iterations > 0)) throw new Error("set PARITY_OUT and PARITY_ITERATIONS");
  await init({ backend: "reference" });
  const f = parseFlags("train", process.argv.slice(2), flagSpec(trainCommand.flags));
  const plan = planFromFlags(f);
  const data = await openData(plan.dataset, { data: plan.data, split: plan.split, env: process.env });
  const augment = plan.augment ?? data.parts?.defaultAugment ?? "none";
  const root = new Rng(plan.seed);
  const [channels, size] = imageShape(data);
  const trainTasks = taskSource(data, "train", plan, root.fork("train"), augment);
  const model = buildModel(plan, data);
  const options = { ...plan.options, innerSteps: plan.innerSteps, innerLr: plan.innerLr, evalSteps: plan.evalSteps, evalLr: plan.evalLr, loss: "cross_entropy" };
  const algo = createAlgorithm(plan.algorithm, model, options, { trainingClasses: trainingClasses(trainTasks) });
  mkdirSync(out, { recursive: true });
  const params = algo.init(new Rng(plan.seed));
  writeFileSync(join(out, "init.safetensors"), await serialize(params, { metadata: { model: { name: model.name, config: model.config }, algorithm: { name: algo.name, options: algo.options } } }));

  writeEpisodes(join(out, "train.bin"), trainTasks, iterations, plan.metaBatch, join(out, "train-classes.bin"));
  const e = plan.evaluation;
  const validationWays = Math.min(e.ways, data.parts!.validation.numClasses);
  const validationEpisodes = Math.min(VALIDATION_EPISODES, e.episodes);
  writeEpisodes(join(out, "validation.bin"), taskSource(data, "validation", { ways: validationWays, shots: e.shots, queries: e.queries }, root.fork("validation")), validationEpisodes, 1);
  writeFileSync(join(out, "run.json"), JSON.stringify({
    algorithm: plan.algorithm, options: algo.options, hidden: plan.hidden, image: [channels, size, size], iterations,
    train: { tasks: plan.metaBatch, ways: plan.ways, shots: plan.shots, queries: plan.queries },
    validation: { episodes: validationEpisodes, ways: validationWays, shots: e.shots, queries: e.queries, steps: e.steps ?? null, lr: e.lr ?? null },
    optimizer: plan.optimizer, schedule: plan.schedule, seed: plan.seed, augment, split: data.split,
  }, null, 1));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
