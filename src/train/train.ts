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
 * - Early stopping (`validation.patience`): stops after that many validations without improvement and
 *   returns (and keeps in the checkpoint) the best validated parameters.
 * - Periodic validation on another task source (the same episodes every time) and periodic checkpoints
 *   (written atomically; parameters, optimizer state, the task sampler's RNG state and the
 *   `CheckpointMetadata` of src/io/checkpoint.ts). Resuming from one continues exactly: same parameters, same next episodes.
 * - Memory is flat: every step frees what it made but the new parameters and optimizer state.
 *
 * @example
 * const algo = ks.meta.maml(ks.nn.conv4({ ways: 5 }), { innerLr: 0.4 });
 * const tasks = ks.data.tasks(split.train, { ways: 5, shots: 1, queries: 1, seed: 0 });
 * const { params } = await ks.train(algo, tasks, { metaBatch: 32, iterations: 60000, onProgress: console.log });
 */
import type { TensorRecord } from "../autograd.ts";
import { keep, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkNumber, checkOptionalNumber } from "../checks.ts";
import { type CheckpointMetadata, type Checkpoint, type JsonRecord, serialize } from "../io/checkpoint.ts";
import { writeFileAtomic } from "../io/files.ts";
import type { MetaAlgorithm } from "../meta/algorithm.ts";
import { add, equal, keptViews, mul, sub } from "../ops/elementwise.ts";
import { adam } from "../optim/adam.ts";
import { clipByGlobalNorm, globalNorm } from "../optim/clip.ts";
import { createOptimizer } from "../optim/create.ts";
import type { Optimizer, OptimizerConfig } from "../optim/optimizer.ts";
import { checkSchedule, learningRate, type Schedule } from "../optim/schedule.ts";
import { Rng } from "../rng.ts";
import { disposeTensors } from "../tree.ts";
import { Accumulators } from "./accumulators.ts";
import { algorithmOptions } from "./algorithms.ts";
import { BatchStream, disposeTaskBatch, isClassification, type TaskSource } from "./batches.ts";
import { EarlyStopping } from "./early-stopping.ts";
import { evaluate, type EvaluationResult } from "./evaluate.ts";
import type { StopReason, TrainOptions, TrainProgress, TrainResult } from "./train-options.ts";

export type {
  CheckpointOptions, StopReason, TrainOptions, TrainProgress, TrainResult, ValidationOptions,
} from "./train-options.ts";

// ---------------------------------------------------------------- options

const positiveInteger = (name: string, v: number | undefined, fallback?: number) => checkOptionalNumber("train", name, v ?? fallback, "positive integer");
const positiveNumber = (name: string, v: number | undefined) => checkOptionalNumber("train", name, v, "positive number");

interface Settings {
  metaBatch: number;
  iterations?: number;
  minutes?: number;
  logEvery: number;
  maxNonFinite: number;
  schedule: Schedule;
  clipNorm?: number;
  seed: number;
}

function settings(o: TrainOptions): Settings {
  const s: Settings = {
    metaBatch: positiveInteger("metaBatch", o.metaBatch, 1)!,
    iterations: positiveInteger("iterations", o.iterations),
    minutes: positiveNumber("minutes", o.minutes),
    logEvery: positiveInteger("logEvery", o.logEvery, 10)!,
    maxNonFinite: o.maxNonFinite ?? 25,
    schedule: checkSchedule(o.schedule ?? { kind: "constant" }),
    clipNorm: positiveNumber("clipNorm", o.clipNorm),
    seed: o.seed ?? 0,
  };
  checkNumber("train", "maxNonFinite", s.maxNonFinite, "non-negative integer");
  if (s.iterations === undefined && s.minutes === undefined) throw new KshotError("train: give a budget: `iterations` and/or `minutes`");
  positiveInteger("validation.every", o.validation?.every);
  positiveInteger("validation.patience", o.validation?.patience);
  positiveNumber("validation.everySeconds", o.validation?.everySeconds);
  positiveInteger("checkpoint.every", o.checkpoint?.every);
  positiveNumber("checkpoint.everySeconds", o.checkpoint?.everySeconds);
  return s;
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

/** Training from NaN or infinite parameters would skip every step: refuse it at once, naming the tensor. */
async function checkFinite(resume: Checkpoint): Promise<void> {
  for (const [name, t] of [...Object.entries(resume.params), ...Object.entries(resume.optimizer ?? {}).map(([k, v]) => [`optimizer.${k}`, v] as const)]) {
    const values = await t.data();
    const at = values.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) throw new KshotError(`train: cannot resume from a checkpoint with non-finite values: ${name}[${at}] is ${values[at]}`);
  }
}

// ---------------------------------------------------------------- the run

/** Training seconds of this call, with the clock stopped during validation and checkpoint writing. */
class Clock {
  private banked = 0;
  /** When the clock last started; undefined while it is stopped. */
  private since: number | undefined = performance.now();
  seconds(): number {
    return this.banked + (this.since === undefined ? 0 : (performance.now() - this.since) / 1000);
  }
  async paused<T>(fn: () => Promise<T>): Promise<T> {
    if (this.since === undefined) return fn();
    this.banked = this.seconds();
    this.since = undefined;
    try {
      return await fn();
    } finally {
      this.since = performance.now();
    }
  }
}

class TrainingRun {
  params: TensorRecord;
  iteration = 0;
  skipped = 0;
  readonly startIteration: number;
  private readonly previousSeconds: number;
  private readonly optimizer: Optimizer;
  private readonly ownsOptimizer: boolean;
  private readonly stream: BatchStream;
  private readonly sums = new Accumulators();
  private readonly validationStart?: number[];
  readonly clock = new Clock();
  readonly history: TrainProgress[] = [];
  private hasAccuracy = false;
  private lr: number;
  loss = NaN;
  accuracy?: number;
  validation?: EvaluationResult;
  private lastValidationAt = 0;
  /** Validation results by iteration, carried over from a resumed checkpoint: the learning curve. */
  private readonly curve: JsonRecord[];
  private lastCheckpointAt = 0;
  /** Early stopping on validation, when `validation.patience` is set, and the best validated parameters
   * (kept views) when this run holds them. */
  private readonly early?: EarlyStopping;
  private bestParams?: TensorRecord;
  private lastYield = performance.now();

  constructor(readonly algo: MetaAlgorithm, readonly tasks: TaskSource, readonly s: Settings, readonly o: TrainOptions) {
    const resume = o.resume;
    this.ownsOptimizer = !(o.optimizer && "update" in o.optimizer);
    const config = (o.optimizer as OptimizerConfig | undefined) ?? (resume?.metadata.optimizer as OptimizerConfig | undefined) ?? adam({ lr: o.metaLr ?? 1e-3 }).config;
    this.optimizer = this.ownsOptimizer ? createOptimizer(config) : (o.optimizer as Optimizer);
    this.lr = this.optimizer.lr;
    if (resume) {
      this.params = keptViews(resume.params);
      if (resume.optimizer) this.optimizer.loadState(resume.optimizer);
      this.iteration = resume.metadata.iteration!;
      const state = resume.metadata.state ?? {};
      if (Array.isArray(state.sampler)) tasks.restore(state.sampler as number[]);
      if (typeof state.skipped === "number") this.skipped = state.skipped;
    } else {
      // Views of the caller's tensors (shared memory): none of them is ever disposed by training.
      this.params = o.params ? keptViews(o.params) : tidy(() => algo.init(new Rng(s.seed)));
      keep(this.params);
    }
    this.previousSeconds = resume?.metadata.seconds ?? 0;
    const previous = resume?.metadata.history?.validation;
    this.curve = Array.isArray(previous) ? (previous as JsonRecord[]) : [];
    this.startIteration = this.iteration;
    const patience = o.validation?.patience;
    if (patience !== undefined) {
      this.early = new EarlyStopping(patience, resume?.metadata.state?.best);
      // The checkpoints of a run with early stopping hold its best state: then it is the best so far.
      if (resume && this.early.summary()?.iteration === this.iteration) this.bestParams = keptViews(this.params);
    }
    this.validationStart = o.validation?.tasks.state();
    this.stream = new BatchStream(tasks, algo.model.inputShape);
  }

  /** Why to stop now, if the budget is spent, the run aborted or too many steps were skipped. */
  stopReason(): StopReason | undefined {
    const { iterations, minutes, maxNonFinite } = this.s;
    if (iterations !== undefined && this.iteration >= iterations) return "iterations";
    if (minutes !== undefined && this.clock.seconds() >= minutes * 60) return "minutes";
    if (this.o.signal?.aborted) return "aborted";
    if (this.skipped > maxNonFinite) return "non-finite";
    if (this.early?.exhausted()) return "patience";
    return undefined;
  }

  private fractionDone(): number {
    const { iterations, minutes } = this.s;
    return Math.max(iterations !== undefined ? this.iteration / iterations : 0, minutes !== undefined ? this.clock.seconds() / (minutes * 60) : 0);
  }

  /** One meta-iteration, entirely on the device. */
  step(): void {
    this.lr = learningRate(this.s.schedule, this.optimizer.lr, this.iteration, this.fractionDone());
    const batch = this.stream.next(this.s.metaBatch);
    let next: TensorRecord;
    try {
      next = tidy(() => {
        const r = this.algo.step(this.params, batch);
        this.hasAccuracy = r.accuracy !== undefined;
        const norm = globalNorm(r.grads);
        const grads = this.s.clipNorm !== undefined ? clipByGlobalNorm(r.grads, this.s.clipNorm, norm).grads : r.grads;
        // Finite iff the loss and every gradient are (Inf·0 and NaN·0 are NaN; x − x is 0 only for finite x).
        const probe = add(r.loss, mul(norm, 0));
        const accept = equal(sub(probe, probe), 0);
        this.sums.add(r.loss, r.accuracy, accept);
        return this.optimizer.update(this.params, grads, { lr: this.lr, accept });
      });
    } finally {
      disposeTaskBatch(batch);
    }
    disposeTensors(this.params);
    this.params = keep(next);
    this.iteration++;
  }

  private due(every: number | undefined, everySeconds: number | undefined, last: number): boolean {
    return (every !== undefined && this.iteration % every === 0) || (everySeconds !== undefined && this.clock.seconds() - last >= everySeconds);
  }

  /** Validation, progress report and checkpoint, as they fall due after a step. */
  async afterStep(): Promise<void> {
    const v = this.o.validation;
    const c = this.o.checkpoint;
    if (v && this.due(v.every, v.everySeconds, this.lastValidationAt)) {
      const r = await this.validate();
      await this.report(r);
      // With early stopping the checkpoint holds the best validated state: written when it improves, and
      // periodically only until the first validation.
      if (this.early?.record(r, this.iteration)) {
        if (this.bestParams) disposeTensors(this.bestParams);
        this.bestParams = keptViews(this.params);
        await this.writeCheckpoint();
      }
    } else if (this.iteration % this.s.logEvery === 0 || (await this.overNonFiniteLimit())) await this.report();
    if (c && !this.early?.summary() && this.due(c.every, c.everySeconds, this.lastCheckpointAt)) await this.writeCheckpoint();
    if (performance.now() - this.lastYield > 100) {
      // Lets timers and signal handlers (an abort) run during long synchronous stretches.
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.lastYield = performance.now();
    }
  }

  /**
   * Whether the skipped steps exceed `maxNonFinite` now. Read back only once the steps since the last
   * report could exceed it, so a healthy run reads nothing per step and a failing one stops at the step.
   */
  private async overNonFiniteLimit(): Promise<boolean> {
    const limit = this.s.maxNonFinite;
    return this.skipped + this.sums.steps > limit && this.skipped + (await this.sums.skipped()) > limit;
  }

  /** A final report (unless the last step just made one) and checkpoint; with early stopping, the best
   * validated parameters become the result (the checkpoint already holds them). */
  async finish(): Promise<void> {
    if (this.iteration % this.s.logEvery !== 0 || this.history.length === 0) await this.report();
    if (!this.early?.summary()) {
      await this.writeCheckpoint();
      return;
    }
    if (this.bestParams) {
      disposeTensors(this.params);
      this.params = this.bestParams;
      this.bestParams = undefined;
    }
  }

  async report(validation?: EvaluationResult): Promise<void> {
    const sums = await this.sums.take();
    this.skipped += sums.skipped;
    if (sums.accepted > 0) {
      this.loss = sums.loss / sums.accepted;
      this.accuracy = this.hasAccuracy ? sums.accuracy / sums.accepted : undefined;
    }
    const { iterations, minutes, metaBatch } = this.s;
    const seconds = this.clock.seconds();
    const done = this.iteration - this.startIteration;
    const pace = done > 0 ? seconds / done : 0;
    const progress: TrainProgress = {
      iteration: this.iteration, loss: this.loss, lr: this.lr, seconds, skipped: this.skipped,
      tasksPerSecond: seconds > 0 ? (done * metaBatch) / seconds : 0,
      etaSeconds: Math.min(
        iterations !== undefined ? (iterations - this.iteration) * pace : Infinity,
        minutes !== undefined ? Math.max(0, minutes * 60 - seconds) : Infinity,
      ),
      ...(iterations !== undefined ? { iterations } : {}),
      ...(this.accuracy !== undefined ? { accuracy: this.accuracy } : {}),
      ...(validation ? { validation } : {}),
    };
    this.history.push(progress);
    this.o.onProgress?.(progress);
  }

  private validate(): Promise<EvaluationResult> {
    const v = this.o.validation!;
    return this.clock.paused(async () => {
      v.tasks.restore(this.validationStart!);
      const r = await evaluate(this.algo, this.params, v.tasks, { episodes: v.episodes ?? 100, steps: v.steps, lr: v.lr, signal: this.o.signal });
      this.validation = r;
      this.lastValidationAt = this.clock.seconds();
      const seconds = this.previousSeconds + this.lastValidationAt;
      this.curve.push(r.kind === "classification"
        ? { iteration: this.iteration, seconds, accuracy: r.accuracy, ci95: r.ci95, episodes: r.episodes }
        : { iteration: this.iteration, seconds, mse: r.mse, episodes: r.episodes });
      return this.validation;
    });
  }

  private metadata(): CheckpointMetadata {
    const given = this.o.checkpoint?.metadata ?? {};
    const { metaBatch, schedule, clipNorm, iterations, minutes, seed } = this.s;
    const training: JsonRecord = {
      ...(given.training ?? {}), metaBatch, schedule: schedule as unknown as JsonRecord,
      ...(clipNorm !== undefined ? { clipNorm } : {}),
      ...(iterations !== undefined ? { iterations } : {}),
      ...(minutes !== undefined ? { minutes } : {}),
    };
    return {
      ...given,
      model: { name: this.algo.model.name, config: this.algo.model.config },
      algorithm: { name: this.algo.name, options: algorithmOptions(this.algo) },
      training,
      optimizer: { ...this.optimizer.config },
      seed,
      iteration: this.iteration,
      seconds: this.previousSeconds + this.clock.seconds(),
      state: { sampler: this.tasks.state(), skipped: this.skipped, ...(this.early?.state() ? { best: this.early.state()! } : {}) },
      history: { validation: this.curve },
    };
  }

  private writeCheckpoint(): Promise<void> {
    const c = this.o.checkpoint;
    if (!c || (!c.path && !c.write)) return Promise.resolve();
    return this.clock.paused(async () => {
      const bytes = await serialize(this.params, { metadata: this.metadata(), optimizer: this.optimizer.stateTensors() });
      if (c.path) await writeFileAtomic(c.path, bytes);
      if (c.write) await c.write(bytes, this.iteration);
      this.lastCheckpointAt = this.clock.seconds();
    });
  }

  result(stopped: StopReason): TrainResult {
    const seconds = this.clock.seconds();
    return {
      params: this.params, iterations: this.iteration, seconds, totalSeconds: this.previousSeconds + seconds,
      loss: this.loss, stopped, skipped: this.skipped, history: this.history, metadata: this.metadata(),
      ...(this.accuracy !== undefined ? { accuracy: this.accuracy } : {}),
      ...(this.validation ? { validation: this.validation } : {}),
      ...(this.early?.summary() ? { best: this.early.summary() } : {}),
    };
  }

  /** Frees what the run holds but the parameters. */
  release(): void {
    this.sums.dispose();
    if (this.bestParams) disposeTensors(this.bestParams);
    if (this.ownsOptimizer) this.optimizer.dispose();
  }
}

/** Meta-trains `algo` on tasks drawn from `tasks`; see the module comment. */
export async function train(algo: MetaAlgorithm, tasks: TaskSource, options: TrainOptions = {}): Promise<TrainResult> {
  const s = settings(options);
  checkCompatible(algo, tasks);
  if (options.resume) {
    checkResumable(algo, options.resume);
    await checkFinite(options.resume);
  }
  const run = new TrainingRun(algo, tasks, s, options);
  try {
    let stopped: StopReason | undefined;
    while (!(stopped = run.stopReason())) {
      run.step();
      await run.afterStep();
    }
    await run.finish();
    return run.result(stopped);
  } catch (err) {
    disposeTensors(run.params);
    throw err;
  } finally {
    run.release();
  }
}
