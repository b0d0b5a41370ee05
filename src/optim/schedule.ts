/**
 * Learning-rate schedules as plain, serialisable descriptions (they are stored in checkpoints):
 * - `constant`: the base rate throughout;
 * - `step`: multiplied by `factor` every `every` iterations (ProtoNets: halve every 2000 episodes);
 * - `linear`: from the base rate at the start to `base·final` at the end of the budget (Reptile anneals its
 *   outer step size 1 → 0), by the fraction of the budget done (iterations, or time with a minutes budget).
 */
import { KshotError } from "../errors.ts";

export type Schedule =
  | { kind: "constant" }
  | { kind: "step"; every: number; factor: number }
  | { kind: "linear"; final: number };

export const constantSchedule = (): Schedule => ({ kind: "constant" });

/** × `factor` every `every` iterations. */
export function stepDecay(every: number, factor: number): Schedule {
  return checkSchedule({ kind: "step", every, factor });
}

/** Linear from the base rate to `final` × base over the budget. */
export function linearDecay(final = 0): Schedule {
  return checkSchedule({ kind: "linear", final });
}

/** Validates a schedule (from options or a checkpoint), returning it. */
export function checkSchedule(s: unknown): Schedule {
  const o = s as Partial<Record<string, unknown>> | null;
  const kind = o && typeof o === "object" ? o.kind : undefined;
  const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (kind === "constant") return { kind };
  if (kind === "step" && Number.isInteger(o!.every) && (o!.every as number) >= 1 && finite(o!.factor) && o!.factor > 0) {
    return { kind, every: o!.every as number, factor: o!.factor };
  }
  if (kind === "linear" && finite(o!.final) && o!.final >= 0) return { kind, final: o!.final };
  throw new KshotError(
    `schedule: expected {kind: "constant"}, {kind: "step", every: integer >= 1, factor > 0} or {kind: "linear", final >= 0}, got ${JSON.stringify(s)}`,
  );
}

/**
 * The learning rate at `iteration` (0-based: the number of iterations done before this one), given the
 * fraction of the budget done (0..1, used by `linear` only).
 */
export function learningRate(schedule: Schedule, base: number, iteration: number, fractionDone = 0): number {
  switch (schedule.kind) {
    case "constant":
      return base;
    case "step":
      return base * schedule.factor ** Math.floor(iteration / schedule.every);
    case "linear": {
      const f = Math.min(1, Math.max(0, fractionDone));
      return base * (1 - f + f * schedule.final);
    }
  }
}

/** A short human description: "constant", "×0.5 every 2000", "linear to ×0". */
export function describeSchedule(s: Schedule): string {
  if (s.kind === "step") return `×${s.factor} every ${s.every}`;
  if (s.kind === "linear") return `linear to ×${s.final}`;
  return "constant";
}
