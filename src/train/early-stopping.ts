/**
 * Early stopping on validation (Snell et al. 2017 §3.1: "we use early stopping on validation"; their code
 * keeps the best model and stops after `patience` epochs without improvement): tracks the best validation
 * score, a copy of the parameters that reached it, and how many validations since then did not improve it.
 * The score is the mean accuracy (classification) or minus the MSE after the most inner steps (regression),
 * so higher is always better.
 */
import type { TensorRecord } from "../autograd.ts";
import type { JsonRecord } from "../io/checkpoint.ts";
import { keptViews } from "../ops/elementwise.ts";
import { disposeTensors } from "../tree.ts";
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
  /** The parameters of the best validation (a kept copy), when this run holds them. */
  private bestParams?: TensorRecord;

  /**
   * @param patience stop once this many validations in a row did not improve on the best
   * @param resumed a resumed checkpoint's `state.best`, its iteration and parameters (held only when the
   *   checkpoint is the best one, as the checkpoints of a run with early stopping are)
   */
  constructor(readonly patience: number, resumed?: { best: unknown; iteration: number; params: TensorRecord }) {
    this.best = parseBest(resumed?.best);
    if (this.best && resumed && this.best.iteration === resumed.iteration) this.bestParams = keptViews(resumed.params);
  }

  /** Records a validation at `iteration`; true when it is the best so far (then `params` are copied). */
  record(r: EvaluationResult, iteration: number, params: TensorRecord): boolean {
    const score = validationScore(r);
    if (this.best && !(score > this.best.score)) {
      this.best.since++;
      return false;
    }
    this.best = { iteration, score, since: 0 };
    if (this.bestParams) disposeTensors(this.bestParams);
    this.bestParams = keptViews(params);
    return true;
  }

  /** Whether `patience` validations in a row did not improve. */
  exhausted(): boolean {
    return this.best !== undefined && this.best.since >= this.patience;
  }

  /** Whether a best validation exists (then the checkpoint file holds it and is not overwritten). */
  hasBest(): boolean {
    return this.best !== undefined;
  }

  /** What checkpoints store (`state.best`). */
  state(): JsonRecord | undefined {
    return this.best ? { ...this.best } : undefined;
  }

  /** The best iteration and score, if any. */
  summary(): Omit<BestState, "since"> | undefined {
    return this.best ? { iteration: this.best.iteration, score: this.best.score } : undefined;
  }

  /** Hands over the best parameters (the caller owns them), if this run holds them. */
  takeParams(): TensorRecord | undefined {
    const p = this.bestParams;
    this.bestParams = undefined;
    return p;
  }

  dispose(): void {
    if (this.bestParams) disposeTensors(this.bestParams);
    this.bestParams = undefined;
  }
}
