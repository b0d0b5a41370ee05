/** An optimizer from its stored configuration (`optimizer.config`, as kept in checkpoints). */
import { KshotError } from "../errors.ts";
import { adam } from "./adam.ts";
import type { Optimizer, OptimizerConfig } from "./optimizer.ts";
import { rmsprop } from "./rmsprop.ts";
import { sgd } from "./sgd.ts";

function numberField(config: OptimizerConfig, key: string): number | undefined {
  const v = config[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number") throw new KshotError(`optimizer config: expected ${key} to be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function createOptimizer(config: OptimizerConfig): Optimizer {
  const n = (key: string) => numberField(config, key);
  if (config.kind === "adam") {
    return adam({ lr: n("lr"), beta1: n("beta1"), beta2: n("beta2"), eps: n("eps"), weightDecay: n("weightDecay") });
  }
  if (config.kind === "sgd") return sgd({ lr: n("lr"), momentum: n("momentum"), weightDecay: n("weightDecay") });
  if (config.kind === "rmsprop") return rmsprop({ lr: n("lr"), alpha: n("alpha"), eps: n("eps") });
  if (config.kind === "learned") throw new KshotError("optimizer config: a learned optimizer needs its weights: use ks.optim.learned(checkpoint)");
  throw new KshotError(`optimizer config: expected kind "adam", "sgd" or "rmsprop", got ${JSON.stringify(config.kind)}`);
}
