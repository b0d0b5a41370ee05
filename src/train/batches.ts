/**
 * The bridge from the data module's host episodes to `TaskBatch` tensors:
 * - classification episodes (`TaskSampler`): x [T, N·K, ...inputShape] float32, y [T, N·K] int32 labels
 *   0..N−1 (and the same for the query set), plus `classes` [T, N] int32, the source class behind each way
 *   (the fine-tuning baseline trains on those);
 * - sinusoid tasks (`SinusoidSampler`): x and y [T, K, 1] float32 (regression targets).
 * `inputShape` lets a model see images in its own layout (an MLP on flattened images: [C·H·W]).
 */
import { tensor } from "../ops/creation.ts";
import { KshotError } from "../errors.ts";
import type { EpisodeBatch } from "../data/tasks.ts";
import type { SinusoidBatch } from "../data/sinusoid.ts";
import type { RngState } from "../rng.ts";
import type { TaskBatch } from "../meta/task-batch.ts";
import type { Tensor } from "../tensor.ts";
import { formatShape } from "../shape.ts";

/** What training and evaluation draw tasks from: the data module's samplers (or anything alike). */
export interface TaskSource<B extends EpisodeBatch | SinusoidBatch = EpisodeBatch | SinusoidBatch> {
  nextBatch(tasks: number, into?: B): B;
  state(): RngState;
  restore(state: readonly number[]): void;
}

/** A classification batch also says which source class each way is. */
export interface EpisodeTaskBatch extends TaskBatch {
  /** [T, N] int32. */
  classes: Tensor;
}

function isSinusoid(b: EpisodeBatch | SinusoidBatch): b is SinusoidBatch {
  return "xSupport" in b;
}

/** True for classification sources, false for regression (sinusoid). */
export function isClassification(source: TaskSource): boolean {
  return typeof (source as { ways?: unknown }).ways === "number";
}

function exampleShape(batch: EpisodeBatch, inputShape?: readonly number[]): number[] {
  if (!inputShape) return [...batch.shape];
  const size = batch.shape[0] * batch.shape[1] * batch.shape[2];
  const wanted = inputShape.reduce((a, b) => a * b, 1);
  if (wanted !== size) {
    throw new KshotError(`task batch: the model takes inputs of shape ${formatShape(inputShape)} (${wanted} values), the data has images ${formatShape(batch.shape)} (${size} values)`);
  }
  return [...inputShape];
}

/** Tensors of a classification meta-batch. */
export function episodeTensors(batch: EpisodeBatch, inputShape?: readonly number[]): EpisodeTaskBatch {
  const { tasks, ways, shots, queries } = batch;
  const shape = exampleShape(batch, inputShape);
  return {
    support: { x: tensor(batch.support, [tasks, ways * shots, ...shape]), y: tensor(batch.supportLabels, [tasks, ways * shots], "int32") },
    query: { x: tensor(batch.query, [tasks, ways * queries, ...shape]), y: tensor(batch.queryLabels, [tasks, ways * queries], "int32") },
    ways,
    classes: tensor(batch.classes, [tasks, ways], "int32"),
  };
}

/** Tensors of a sinusoid meta-batch: x and y [T, K, 1] (support) and [T, Q, 1] (query). */
export function sinusoidTensors(batch: SinusoidBatch): TaskBatch {
  const { tasks, shots, queries } = batch;
  return {
    support: { x: tensor(batch.xSupport, [tasks, shots, 1]), y: tensor(batch.ySupport, [tasks, shots, 1]) },
    query: { x: tensor(batch.xQuery, [tasks, queries, 1]), y: tensor(batch.yQuery, [tasks, queries, 1]) },
  };
}

/** Tensors of either kind of host batch. */
export function taskTensors(batch: EpisodeBatch | SinusoidBatch, inputShape?: readonly number[]): TaskBatch {
  return isSinusoid(batch) ? sinusoidTensors(batch) : episodeTensors(batch, inputShape);
}

/** Frees every tensor of a batch made here. */
export function disposeTaskBatch(batch: TaskBatch): void {
  batch.support.x.dispose();
  batch.support.y.dispose();
  batch.query.x.dispose();
  batch.query.y.dispose();
  (batch as Partial<EpisodeTaskBatch>).classes?.dispose();
}

/**
 * Draws meta-batches from a source as tensors, refilling the same host arrays each time (the sampler's
 * `into`) so that long runs allocate nothing on the host per step.
 */
export class BatchStream {
  private host: (EpisodeBatch | SinusoidBatch) | undefined;

  constructor(readonly source: TaskSource, readonly inputShape?: readonly number[]) {}

  /** T tasks as tensors; the caller disposes them (`disposeTaskBatch`). */
  next(tasks: number): TaskBatch {
    const reuse = this.host && this.host.tasks === tasks ? this.host : undefined;
    this.host = (this.source as TaskSource<EpisodeBatch | SinusoidBatch>).nextBatch(tasks, reuse as never);
    return taskTensors(this.host, this.inputShape);
  }
}
