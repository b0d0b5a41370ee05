/**
 * `ks.train`: episodic meta-training. Each iteration draws a meta-batch of tasks, asks the algorithm for
 * its loss and meta-gradient (`step`), optionally clips the gradients by their global norm, and lets the
 * meta-optimizer (Adam by default) update the meta-parameters at the schedule's learning rate.
 *
 * - Nothing is read back per step: the loss, accuracy and a finiteness flag accumulate on the device and
 *   are read every `logEvery` iterations (one small read), which is when `onProgress` runs.
 * - A step whose loss or gradient is not finite is skipped on the device (the optimizer's `accept` flag:
 *   parameters and optimizer state stay as they were, so it is never trained on), counted, reported, and
 *   training stops once more than `maxNonFinite` steps were skipped.
 * - Budget: `iterations` (the total to reach, counting a resumed checkpoint's) and/or `minutes` (training
 *   time of this call; validation and checkpoint writing do not count). An `AbortSignal` stops it early.
 * - Periodic validation on another task source (the same episodes every time) and periodic checkpoints
 *   (written atomically; parameters, optimizer state, the task sampler's RNG state and the metadata
 *   DESIGN.md lists). Resuming from one continues exactly: same parameters, same next episodes.
 * - Memory is flat: every step frees what it made but the new parameters and optimizer state.
 */
import type { TensorRecord } from "../autograd.ts";
import { keep, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { type CheckpointMetadata, type Checkpoint, type JsonRecord, serialize } from "../io/checkpoint.ts";
import { writeFileAtomic } from "../io/files.ts";
import type { MetaAlgorithm } from "../meta/algorithm.ts";
import { scalar } from "../ops/creation.ts";
import { add, equal, mul, stopGradient, sub, where } from "../ops/elementwise.ts";
import { concat, reshape } from "../ops/shape.ts";
import { adam } from "../optim/adam.ts";
import { clipByGlobalNorm, globalNorm } from "../optim/clip.ts";
import { createOptimizer } from "../optim/create.ts";
import type { Optimizer, OptimizerConfig } from "../optim/optimizer.ts";
import { checkSchedule, learningRate, type Schedule } from "../optim/schedule.ts";
import { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import { algorithmOptions } from "./algorithms.ts";
import { BatchStream, disposeTaskBatch, isClassification, type TaskSource } from "./batches.ts";
import { evaluate, type EvaluationResult } from "./evaluate.ts";

export interface ValidationOptions {
  /** Where validation episodes come from (its state is restored before each run: the same episodes each time). */
  tasks: TaskSource;
  /** Validate every this many iterations... */
  every?: number;
  /** ...and/or every this many seconds of training. */
  everySeconds?: number;
  /** Episodes per validation (default 100). */
  episodes?: number;
  steps?: number;
  lr?: number;
}

export interface CheckpointOptions {
  /** File to write (Node, Deno), atomically. */
  path?: string;
  /** Called with the checkpoint's bytes instead of / besides writing a file (browsers: store them). */
  write?: (bytes: Uint8Array, iteration: number) => void | Promise<void>;
  /** Write every this many iterations and/or seconds of training, and always at the end. */
  every?: number;
  everySeconds?: number;
  /** Metadata to store besides what training knows (data, evaluation protocol, training extras). */
  metadata?: Pick<CheckpointMetadata, "data" | "evaluation" | "training" | "extra">;
}

export interface TrainOptions {
  /** Tasks per meta-iteration (default 1). */
  metaBatch?: number;
  /** Total meta-iterations to reach (a resumed run counts the checkpoint's). */
  iterations?: number;
  /** Training time of this call, in minutes. */
  minutes?: number;
  /** The meta-optimizer, or its config; default Adam with `metaLr`. */
  optimizer?: Optimizer | OptimizerConfig;
  /** Meta learning rate of the default Adam (default 1e-3). */
  metaLr?: number;
  /** Learning-rate schedule (default constant). */
  schedule?: Schedule;
  /** Clip gradients to this global norm (default: no clipping). */
  clipNorm?: number;
  /** Seed of the initial parameters (`algo.init(new Rng(seed))`), default 0. */
  seed?: number;
  /** Initial parameters instead of `algo.init` (not modified; training works on its own copy). */
  params?: TensorRecord;
  /** Continue a run from its checkpoint (`ks.io.load`). */
  resume?: Checkpoint;
  /** Read the loss back (and report progress) every this many iterations (default 10). */
  logEvery?: number;
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
  validation?: ValidationOptions;
  checkpoint?: CheckpointOptions;
  /** Stop once more than this many steps had a non-finite loss or gradient (default 25). */
  maxNonFinite?: number;
}

export interface TrainProgress {
  /** Meta-iterations done (including a resumed checkpoint's). */
  iteration: number;
  /** The iteration budget, when there is one. */
  iterations?: number;
  /** Mean training loss and accuracy over the iterations since the previous report (finite steps only). */
  loss: number;
  accuracy?: number;
  /** Meta-learning rate of the last step. */
  lr: number;
  tasksPerSecond: number;
  /** Training seconds of this call. */
  seconds: number;
  /** Seconds left in the budget (estimated from the pace for an iteration budget). */
  etaSeconds: number;
  /** Steps skipped for non-finite values so far. */
  skipped: number;
  /** Set on the report that follows a validation run. */
  validation?: EvaluationResult;
}

export type StopReason = "iterations" | "minutes" | "aborted" | "non-finite";

export interface TrainResult {
  /** The trained meta-parameters (the caller owns them). */
  params: TensorRecord;
  iterations: number;
  /** Training seconds of this call, and in total (with a resumed checkpoint's). */
  seconds: number;
  totalSeconds: number;
  /** Loss and accuracy of the last report. */
  loss: number;
  accuracy?: number;
  stopped: StopReason;
  skipped: number;
  history: TrainProgress[];
  validation?: EvaluationResult;
}

function positiveInteger(name: string, v: number | undefined, fallback?: number): number | undefined {
  const value = v ?? fallback;
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new KshotError(`train: expected ${name} to be a positive integer, got ${v}`);
  return value;
}

function positiveNumber(name: string, v: number | undefined): number | undefined {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new KshotError(`train: expected ${name} to be a positive number, got ${v}`);
  return v;
}

/** Views of `r` (sharing memory, none of the caller's tensors is ever disposed by training), kept. */
function ownCopy(r: TensorRecord): TensorRecord {
  return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, keep(stopGradient(t))]));
}

function disposeAll(r: TensorRecord): void {
  for (const t of Object.values(r)) t.dispose();
}

/** Device-side running sums between two reports. */
class Accumulators {
  private sums: Tensor[] = [];
  constructor() {
    this.reset();
  }
  reset(): void {
    for (const t of this.sums) t.dispose();
    this.sums = [0, 0, 0, 0].map(() => keep(scalar(0)));
  }
  /** Adds one step: loss and accuracy where accepted, and the accepted / skipped counts. */
  add(loss: Tensor, accuracy: Tensor | undefined, accept: Tensor): void {
    const [l, a, ok, bad] = this.sums as [Tensor, Tensor, Tensor, Tensor];
    const next = tidy(() => [
      add(l, where(accept, loss, 0)),
      add(a, accuracy ? where(accept, accuracy, 0) : scalar(0)),
      add(ok, accept),
      add(bad, sub(1, accept)),
    ]);
    for (const t of this.sums) t.dispose();
    this.sums = next.map((t) => keep(t));
  }
  /** Reads the sums back: [loss, accuracy, accepted, skipped]. */
  async read(): Promise<[number, number, number, number]> {
    const packed = tidy(() => concat(this.sums.map((t) => reshape(t, [1])), 0));
    const values = await packed.data();
    packed.dispose();
    return [values[0]!, values[1]!, values[2]!, values[3]!];
  }
  dispose(): void {
    for (const t of this.sums) t.dispose();
    this.sums = [];
  }
}

function checkCompatible(algo: MetaAlgorithm, tasks: TaskSource): void {
  const classification = isClassification(tasks);
  if (classification !== (algo.loss === "cross_entropy")) {
    throw new KshotError(`train: ${algo.name} with ${algo.loss} loss cannot train on ${classification ? "classification episodes" : "regression tasks"}`);
  }
  const heads = algo.options.numClasses;
  const sourceClasses = (tasks as { source?: { numClasses: number } }).source?.numClasses;
  if (typeof heads === "number" && sourceClasses !== undefined && sourceClasses > heads) {
    throw new KshotError(`train: ${algo.name}'s head has ${heads} classes, the training tasks draw from ${sourceClasses}`);
  }
}

function checkResumable(algo: MetaAlgorithm, resume: Checkpoint): void {
  const m = resume.metadata;
  if (m.algorithm && m.algorithm.name !== algo.name) {
    throw new KshotError(`train: the checkpoint was trained with ${m.algorithm.name}, not ${algo.name}`);
  }
  const missing = Object.keys(algo.model.paramShapes).filter((k) => !(k in resume.params));
  if (missing.length) throw new KshotError(`train: the checkpoint lacks the model's parameters ${missing.join(", ")}`);
  if (m.iteration === undefined) throw new KshotError("train: the checkpoint has no `iteration`: it was not written by ks.train and cannot be resumed");
}

/** Meta-trains `algo` on tasks drawn from `tasks`; see the module comment. */
export async function train(algo: MetaAlgorithm, tasks: TaskSource, options: TrainOptions = {}): Promise<TrainResult> {
  const metaBatch = positiveInteger("metaBatch", options.metaBatch, 1)!;
  const iterations = positiveInteger("iterations", options.iterations);
  const minutes = positiveNumber("minutes", options.minutes);
  const logEvery = positiveInteger("logEvery", options.logEvery, 10)!;
  const maxNonFinite = options.maxNonFinite ?? 25;
  if (!Number.isInteger(maxNonFinite) || maxNonFinite < 0) throw new KshotError(`train: expected maxNonFinite to be a non-negative integer, got ${maxNonFinite}`);
  if (iterations === undefined && minutes === undefined) throw new KshotError("train: give a budget: `iterations` and/or `minutes`");
  const schedule = checkSchedule(options.schedule ?? { kind: "constant" });
  const clipNorm = positiveNumber("clipNorm", options.clipNorm);
  const validation = options.validation;
  const ckpt = options.checkpoint;
  positiveInteger("validation.every", validation?.every);
  positiveNumber("validation.everySeconds", validation?.everySeconds);
  positiveInteger("checkpoint.every", ckpt?.every);
  positiveNumber("checkpoint.everySeconds", ckpt?.everySeconds);
  checkCompatible(algo, tasks);
  const seed = options.seed ?? 0;
  const resume = options.resume;
  if (resume) checkResumable(algo, resume);

  // The run's state: parameters, optimizer, where the sampler is, counters.
  const ownsOptimizer = !(options.optimizer && "update" in options.optimizer);
  const optimizer: Optimizer = ownsOptimizer
    ? createOptimizer((options.optimizer as OptimizerConfig | undefined) ?? (resume?.metadata.optimizer as OptimizerConfig | undefined) ?? adam({ lr: options.metaLr ?? 1e-3 }).config)
    : (options.optimizer as Optimizer);
  let params: TensorRecord;
  let iteration = 0;
  let skipped = 0;
  let previousSeconds = 0;
  if (resume) {
    params = ownCopy(resume.params);
    if (resume.optimizer) optimizer.loadState(resume.optimizer);
    iteration = resume.metadata.iteration!;
    previousSeconds = resume.metadata.seconds ?? 0;
    const state = resume.metadata.state ?? {};
    if (Array.isArray(state.sampler)) tasks.restore(state.sampler as number[]);
    if (typeof state.skipped === "number") skipped = state.skipped;
  } else {
    params = options.params ? ownCopy(options.params) : tidy(() => algo.init(new Rng(seed)));
    for (const t of Object.values(params)) keep(t);
  }
  const validationStart = validation?.tasks.state();

  const stream = new BatchStream(tasks, algo.model.inputShape);
  const sums = new Accumulators();
  const history: TrainProgress[] = [];
  let hasAccuracy = false;
  let lastLoss = NaN;
  let lastAccuracy: number | undefined;
  let lastLr = optimizer.lr;
  let lastValidation: EvaluationResult | undefined;
  let trainSeconds = 0;
  let segmentStart = performance.now();
  let lastYield = segmentStart;
  let lastValidationAt = 0;
  let lastCheckpointAt = 0;
  const startIteration = iteration;

  const elapsed = () => trainSeconds + (performance.now() - segmentStart) / 1000;
  /** Runs `fn` with the training clock stopped. */
  const offClock = async <T>(fn: () => Promise<T>): Promise<T> => {
    trainSeconds = elapsed();
    try {
      return await fn();
    } finally {
      segmentStart = performance.now();
    }
  };
  const fractionDone = () => Math.max(
    iterations !== undefined ? iteration / iterations : 0,
    minutes !== undefined ? elapsed() / (minutes * 60) : 0,
  );

  const metadata = (): CheckpointMetadata => {
    const given = ckpt?.metadata ?? {};
    const training: JsonRecord = {
      ...(given.training ?? {}),
      metaBatch,
      schedule: schedule as unknown as JsonRecord,
      ...(clipNorm !== undefined ? { clipNorm } : {}),
      ...(iterations !== undefined ? { iterations } : {}),
      ...(minutes !== undefined ? { minutes } : {}),
    };
    return {
      ...given,
      model: { name: algo.model.name, config: algo.model.config },
      algorithm: { name: algo.name, options: algorithmOptions(algo) },
      training,
      optimizer: { ...optimizer.config },
      seed,
      iteration,
      seconds: previousSeconds + elapsed(),
      state: { sampler: tasks.state(), skipped },
    };
  };

  const writeCheckpoint = () => offClock(async () => {
    if (!ckpt || (!ckpt.path && !ckpt.write)) return;
    const meta = metadata();
    const bytes = await serialize(params, { metadata: meta, optimizer: optimizer.stateTensors() });
    if (ckpt.path) await writeFileAtomic(ckpt.path, bytes);
    if (ckpt.write) await ckpt.write(bytes, iteration);
    lastCheckpointAt = elapsed();
  });

  const validate = () => offClock(async () => {
    validation!.tasks.restore(validationStart!);
    lastValidation = await evaluate(algo, params, validation!.tasks, {
      episodes: validation!.episodes ?? 100, steps: validation!.steps, lr: validation!.lr, signal: options.signal,
    });
    lastValidationAt = elapsed();
    return lastValidation;
  });

  const report = async (withValidation?: EvaluationResult) => {
    const [lossSum, accSum, accepted, bad] = await sums.read();
    sums.reset();
    skipped += bad;
    if (accepted > 0) {
      lastLoss = lossSum / accepted;
      lastAccuracy = hasAccuracy ? accSum / accepted : undefined;
    }
    const seconds = elapsed();
    const done = iteration - startIteration;
    const pace = done > 0 ? seconds / done : 0;
    const eta = Math.min(
      iterations !== undefined ? (iterations - iteration) * pace : Infinity,
      minutes !== undefined ? Math.max(0, minutes * 60 - seconds) : Infinity,
    );
    const progress: TrainProgress = {
      iteration, loss: lastLoss, lr: lastLr, seconds, etaSeconds: eta, skipped,
      tasksPerSecond: seconds > 0 ? (done * metaBatch) / seconds : 0,
      ...(iterations !== undefined ? { iterations } : {}),
      ...(lastAccuracy !== undefined ? { accuracy: lastAccuracy } : {}),
      ...(withValidation ? { validation: withValidation } : {}),
    };
    history.push(progress);
    options.onProgress?.(progress);
  };

  let stopped: StopReason | undefined;
  try {
    for (;;) {
      if (iterations !== undefined && iteration >= iterations) stopped = "iterations";
      else if (minutes !== undefined && elapsed() >= minutes * 60) stopped = "minutes";
      else if (options.signal?.aborted) stopped = "aborted";
      else if (skipped > maxNonFinite) stopped = "non-finite";
      if (stopped) break;

      lastLr = learningRate(schedule, optimizer.lr, iteration, fractionDone());
      const batch = stream.next(metaBatch);
      let next: TensorRecord;
      try {
        next = tidy(() => {
          const r = algo.step(params, batch);
          hasAccuracy = r.accuracy !== undefined;
          const norm = globalNorm(r.grads);
          const grads = clipNorm !== undefined ? clipByGlobalNorm(r.grads, clipNorm, norm).grads : r.grads;
          // Finite iff the loss and every gradient are (Inf·0 and NaN·0 are NaN; x − x is 0 only for finite x).
          const probe = add(r.loss, mul(norm, 0));
          const accept = equal(sub(probe, probe), 0);
          sums.add(r.loss, r.accuracy, accept);
          return optimizer.update(params, grads, { lr: lastLr, accept });
        });
      } finally {
        disposeTaskBatch(batch);
      }
      disposeAll(params);
      params = next;
      for (const t of Object.values(params)) keep(t);
      iteration++;

      const validationDue = validation && (
        (validation.every !== undefined && iteration % validation.every === 0) ||
        (validation.everySeconds !== undefined && elapsed() - lastValidationAt >= validation.everySeconds));
      const checkpointDue = ckpt && (
        (ckpt.every !== undefined && iteration % ckpt.every === 0) ||
        (ckpt.everySeconds !== undefined && elapsed() - lastCheckpointAt >= ckpt.everySeconds));
      if (validationDue) await report(await validate());
      else if (iteration % logEvery === 0) await report();
      if (checkpointDue) await writeCheckpoint();
      if (performance.now() - lastYield > 100) {
        // Lets timers and signal handlers (an abort) run during long synchronous stretches.
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
    if (iteration % logEvery !== 0 || history.length === 0) await report();
    await writeCheckpoint();
  } catch (err) {
    disposeAll(params);
    throw err;
  } finally {
    sums.dispose();
    if (ownsOptimizer) optimizer.dispose();
  }
  return {
    params, iterations: iteration, seconds: elapsed(), totalSeconds: previousSeconds + elapsed(),
    loss: lastLoss, stopped, skipped, history,
    ...(lastAccuracy !== undefined ? { accuracy: lastAccuracy } : {}),
    ...(lastValidation ? { validation: lastValidation } : {}),
  };
}
