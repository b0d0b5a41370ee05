/**
 * Runs an optimizer on a batch of functions and records every function's loss at every step: the curves
 * of Andrychowicz et al. 2016's figures, for the learned optimizer and the hand-designed ones alike.
 */
import { grad, type TensorRecord } from "../../autograd.ts";
import { keep, tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import { sum } from "../../ops/reduce.ts";
import { stack } from "../../ops/shape.ts";
import type { Rng } from "../../rng.ts";
import type { Tensor } from "../../tensor.ts";
import { disposeTensors } from "../../tree.ts";
import type { Optimizer } from "../optimizer.ts";
import type { Optimizee } from "./optimizee.ts";

/**
 * Losses [steps + 1][functions] (row 0 at the start) of `optimizer` run for `steps` steps from
 * `f.init(rng)`. The optimizer's state is its own: give a fresh one per run.
 *
 * @example
 * const curves = await ks.optim.optimizeFunctions(ks.optim.adam({ lr: 0.1 }), ks.optim.quadratics(rng, 100), initRng, 100);
 */
export async function optimizeFunctions(optimizer: Optimizer, f: Optimizee, rng: Rng, steps: number): Promise<Float32Array[]> {
  if (!Number.isInteger(steps) || steps < 0) throw new KshotError(`optimizeFunctions: expected steps to be a non-negative integer, got ${String(steps)}`);
  let params = f.init(rng);
  const losses: Tensor[] = [keep(f.losses(params))];
  const gradient = grad((p: TensorRecord) => sum(f.losses(p)));
  try {
    for (let k = 0; k < steps; k++) {
      const next = tidy(() => optimizer.update(params, gradient(params)));
      disposeTensors(params);
      params = next;
      f.advance?.();
      losses.push(keep(f.losses(params)));
    }
    const all = stack(losses);
    const values = (await all.data()) as Float32Array;
    all.dispose();
    return Array.from({ length: steps + 1 }, (_, k) => values.slice(k * f.count, (k + 1) * f.count));
  } finally {
    disposeTensors([params, losses]);
  }
}
