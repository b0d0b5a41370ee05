/** Helpers on parameter records: per-task copies, selections, updates. */
import type { TensorRecord } from "../autograd.ts";
import { KshotError } from "../errors.ts";
import { broadcastTo } from "../ops/broadcast.ts";
import { mean } from "../ops/reduce.ts";
import { expandDims } from "../ops/shape.ts";
import { mapRecord } from "../tree.ts";

/** Each parameter repeated for T tasks: [shape] → [T, ...shape] (its gradient sums over the tasks). */
export function perTask(params: TensorRecord, tasks: number): TensorRecord {
  return mapRecord(params, (p) => broadcastTo(expandDims(p, 0), [tasks, ...p.shape]));
}

/** The mean over the task axis: [T, ...shape] → [shape]. */
export function taskMean(params: TensorRecord): TensorRecord {
  return mapRecord(params, (p) => mean(p, 0));
}

/** The entries of `r` named in `names`, in that order; a KshotError names any that is missing. */
export function pick<T>(r: Readonly<Record<string, T>>, names: readonly string[]): Record<string, T> {
  const missing = names.filter((k) => !(k in r));
  if (missing.length) throw new KshotError(`parameters ${missing.join(", ")} do not exist (the model has ${Object.keys(r).join(", ")})`);
  return Object.fromEntries(names.map((k) => [k, r[k]]));
}
