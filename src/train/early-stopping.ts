/**
 * Early stopping on validation (Snell et al. 2017 §3.1: "we use early stopping on validation"; their code
 * keeps the best model and stops after `patience` epochs without improvement): the bookkeeping of the best
 * validation score and of how many validations since did not improve on it. The score is the mean accuracy
 * (classification) or minus the MSE after the most inner steps (regression), so higher is always better.
 * Pure: the training run keeps the best parameters itself.
 */
import type { JsonRecord } from "../io/checkpoint.ts";
import type { EvaluationResult } from "./evaluate.ts";

/** The best validation so far, as checkpoints store it (`state.best`). */
export interface BestState {
  iteration: number;
  score: number;
  /** Validations since the best one that did not improve on it. */
  since: number;
}

/** Higher is better: accuracy, or −MSE after the most inner steps. */
export function validationScore(r: EvaluationResult): number {
  if (r.kind === "classification") return r.accuracy;
  const steps = Object.keys(r.mse).map(Number);
  return -r.mse[String(Math.max(...steps))]!;
}

function parseBest(v: unknown): BestState | undefined {
  const b = v as Partial<BestState> | undefined;
  return b && typeof b.iteration === "number" && typeof b.score === "number" && typeof b.since === "number" ? { iteration: b.iteration, score: b.score, since: b.since } : undefined;
}

export class EarlyStopping {
  private best?: BestState;

  /**
   * @param patience stop once this many validations in a row did not improve on the best
   * @param resumed a resumed checkpoint's `state.best` (anything else is ignored)
   */
  constructor(readonly patience: number, resumed?: unknown) {
    this.best = parseBest(resumed);
  }

  /** Records a validation at `iteration`; true when it is the best so far (ties and NaN are not). */
  record(r: EvaluationResult, iteration: number): boolean {
    const score = validationScore(r);
    if (this.best && !(score > this.best.score)) {
      this.best.since++;
      return false;
    }
    this.best = { iteration, score, since: 0 };
    return true;
  }

  /** Whether `patience` validations in a row did not improve. */
  exhausted(): boolean {
    return this.best !== undefined && this.best.since >= this.patience;
  }

  /** The best iteration and score, if any validation ran. */
  summary(): Omit<BestState, "since"> | undefined {
    return this.best ? { iteration: this.best.iteration, score: this.best.score } : undefined;
  }

  /** What checkpoints store (`state.best`). */
  state(): JsonRecord | undefined {
    return this.best ? { ...this.best } : undefined;
  }
}
