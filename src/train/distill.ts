/**
 * `ks.distill`: episodic training of a small student to match a meta-trained teacher (Hinton et al. 2015,
 * see src/meta/distill.ts), with everything `ks.train` does: the meta-optimizer and its schedule, budgets,
 * validation, atomic checkpoints, resuming. The checkpoint is the student's (its model, algorithm and
 * options), with the distillation settings under `training.distillation`, so the Learner loads it like any
 * other.
 */
import type { JsonRecord } from "../io/checkpoint.ts";
import { type DistillationOptions, distillation, distillationSettings, type Teacher } from "../meta/distill.ts";
import type { MetaAlgorithm } from "../meta/algorithm.ts";
import type { TaskSource } from "./batches.ts";
import { train } from "./train.ts";
import type { TrainOptions, TrainResult } from "./train-options.ts";

export type { Teacher } from "../meta/distill.ts";

export interface DistillOptions extends TrainOptions, DistillationOptions {}

/** Count of a teacher's parameters (scalars), stored beside the student's for the record. */
function parameterCount(params: Teacher["params"]): number {
  return Object.values(params).reduce((n, t) => n + t.size, 0);
}

/**
 * Trains `student` on episodes from `tasks` to match `teacher`'s episode logits.
 *
 * @param teacher the teacher's algorithm and meta-parameters (e.g. from `ks.io.load` and `ks.fromMetadata`); borrowed
 * @param student the student algorithm on its (smaller) model, e.g. `ks.meta.protonet(ks.nn.conv4({ hidden: 16, ways: 0 }))`
 * @param tasks the training episodes (the teacher's training source, as a rule)
 * @param options `ks.train`'s options, plus `temperature` (default 4) and `hardWeight` (default 0.5)
 * @returns `ks.train`'s result: the student's parameters (the caller owns them), history, metadata
 * @example
 * const teacher = await ks.io.load("teacher.safetensors");
 * const { algorithm } = ks.fromMetadata(teacher.metadata);
 * const student = ks.meta.protonet(ks.nn.conv4({ hidden: 16, ways: 0 }));
 * const { params } = await ks.distill({ algorithm, params: teacher.params }, student, tasks, { iterations: 2000, checkpoint: { path: "student.safetensors" } });
 */
export async function distill(teacher: Teacher, student: MetaAlgorithm, tasks: TaskSource, options: DistillOptions = {}): Promise<TrainResult> {
  const { temperature, hardWeight, ...trainOptions } = options;
  const settings = distillationSettings({ temperature, hardWeight });
  const algo = distillation(teacher, student, settings);
  const given = trainOptions.checkpoint?.metadata ?? {};
  const record: JsonRecord = {
    ...settings,
    teacher: { model: teacher.algorithm.model.name, config: teacher.algorithm.model.config, algorithm: teacher.algorithm.name, parameters: parameterCount(teacher.params) },
  };
  // The settings go into the metadata of the checkpoint and of the result, written or not.
  const checkpoint = { ...trainOptions.checkpoint, metadata: { ...given, training: { ...(given.training ?? {}), distillation: record } } };
  return train(algo, tasks, { ...trainOptions, checkpoint });
}
