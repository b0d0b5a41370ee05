/**
 * RMSprop (Tieleman & Hinton 2012) with PyTorch's semantics (`torch.optim.RMSprop`, not centered, no
 * momentum or weight decay): v ← α·v + (1−α)·g² (v starts at 0);  θ ← θ − lr · g / (√v + ε).
 *
 * State tensors: `square_avg.<param>` (PyTorch's name).
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { cast } from "../ops/elementwise.ts";
import { fusedRecord } from "../ops/fused.ts";
import { checkGradients, checkRange } from "./checks.ts";
import type { Optimizer, UpdateOptions } from "./optimizer.ts";
import { StateStore } from "./state-store.ts";

export interface RmspropOptions {
  /** Learning rate (default 0.01, PyTorch's). */
  lr?: number;
  /** Decay α of the mean square (default 0.99). */
  alpha?: number;
  /** Added to the denominator, outside the square root (default 1e-8). */
  eps?: number;
}

const SQUARE_AVG = "square_avg.";

/**
 * RMSprop over a record of parameters.
 *
 * @example
 * const opt = ks.optim.rmsprop({ lr: 0.01 });
 * params = opt.update(params, grads);
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const lr = checkRange("rmsprop", "lr", options.lr ?? 0.01, 0);
  const alpha = checkRange("rmsprop", "alpha", options.alpha ?? 0.99, 0, 1);
  const eps = checkRange("rmsprop", "eps", options.eps ?? 1e-8, 0);
  const state = new StateStore();
  const shapes = new Map<string, readonly number[]>();

  return {
    kind: "rmsprop",
    lr,
    config: { kind: "rmsprop", lr, alpha, eps },
    update(params: TensorRecord, grads: TensorRecord, o: UpdateOptions = {}): TensorRecord {
      checkGradients("rmsprop", params, grads);
      const rate = checkRange("rmsprop", "the step's lr", o.lr ?? lr, 0);
      const averages: TensorRecord = {};
      const next = tidy(() => {
        const out: TensorRecord = {};
        const first = Object.values(params)[0];
        const accept = o.accept && first ? cast(o.accept, first.dtype) : undefined;
        for (const [name, p] of Object.entries(params)) {
          shapes.set(name, p.shape);
          const old = state.get(SQUARE_AVG + name);
          const v = fusedRecord("rmsprop square average", { g: grads[name], old, accept }, (f, t) => {
            const fresh = f.mul(f.square(t.g!), 1 - alpha);
            const next = t.old ? f.add(f.mul(t.old, alpha), fresh) : fresh;
            return t.accept ? f.where(t.accept, next, t.old ?? 0) : next;
          });
          averages[SQUARE_AVG + name] = v;
          out[name] = fusedRecord("rmsprop step", { p, g: grads[name], v, accept }, (f, t) => {
            const stepped = f.sub(t.p!, f.mul(f.div(t.g!, f.add(f.sqrt(t.v!), eps)), rate));
            return t.accept ? f.where(t.accept, stepped, t.p!) : stepped;
          });
        }
        return { out, averages };
      });
      state.replace(next.averages);
      return next.out;
    },
    stateTensors: () => state.all(),
    loadState(tensors: TensorRecord): void {
      state.load(tensors, (name) => (name.startsWith(SQUARE_AVG) ? shapes.get(name.slice(SQUARE_AVG.length)) : undefined));
    },
    dispose: () => state.dispose(),
  };
}
