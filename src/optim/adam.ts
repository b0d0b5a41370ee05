/**
 * Adam (Kingma & Ba, 2015) with PyTorch's semantics (`torch.optim.Adam`, L2 weight decay, no AMSGrad):
 *   g ← g + λθ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  t ← t + 1
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)      (ε outside the square root)
 *
 * The step count t is a device scalar (state `step`), so a step skipped through `accept` does not advance
 * the bias correction, and nothing needs reading back. State tensors: `step`, `exp_avg.<param>` (m),
 * `exp_avg_sq.<param>` (v), PyTorch's names.
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { scalar } from "../ops/creation.ts";
import { add, cast, div, mul, pow, sqrt, square, sub, where } from "../ops/elementwise.ts";
import type { Tensor } from "../tensor.ts";
import { checkGradients, checkRange } from "./checks.ts";
import type { Optimizer, UpdateOptions } from "./optimizer.ts";
import { StateStore } from "./state-store.ts";

export interface AdamOptions {
  /** Learning rate (default 0.001). */
  lr?: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Added to the denominator, outside the square root (default 1e-8). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

const STEP = "step";
const M = "exp_avg.";
const V = "exp_avg_sq.";

export function adam(options: AdamOptions = {}): Optimizer {
  const lr = checkRange("adam", "lr", options.lr ?? 1e-3, 0);
  const beta1 = checkRange("adam", "beta1", options.beta1 ?? 0.9, 0, 1);
  const beta2 = checkRange("adam", "beta2", options.beta2 ?? 0.999, 0, 1);
  const eps = checkRange("adam", "eps", options.eps ?? 1e-8, 0);
  const weightDecay = checkRange("adam", "weightDecay", options.weightDecay ?? 0, 0);
  const state = new StateStore();
  const shapes = new Map<string, readonly number[]>();

  /** β·old + (1−β)·x, or (1−β)·x before the first step; a skipped step keeps the old value. */
  const moment = (name: string, beta: number, x: Tensor, accept?: Tensor): Tensor => {
    const old = state.get(name);
    const next = old ? add(mul(old, beta), mul(x, 1 - beta)) : mul(x, 1 - beta);
    return accept ? where(accept, next, old ?? 0) : next;
  };

  return {
    kind: "adam",
    lr,
    config: { kind: "adam", lr, beta1, beta2, eps, weightDecay },
    update(params: TensorRecord, grads: TensorRecord, o: UpdateOptions = {}): TensorRecord {
      checkGradients("adam", params, grads);
      const rate = checkRange("adam", "the step's lr", o.lr ?? lr, 0);
      const { out, updates } = tidy(() => {
        const first = Object.values(params)[0];
        const dtype = first ? first.dtype : "float32";
        const oldStep = state.get(STEP) ?? scalar(0, dtype);
        const step = add(oldStep, o.accept ? cast(o.accept, dtype) : 1);
        const stepSize = div(rate, sub(1, pow(beta1, step)));
        const correction2 = sqrt(sub(1, pow(beta2, step)));
        const out: TensorRecord = {};
        const updates: TensorRecord = { [STEP]: step };
        for (const [name, p] of Object.entries(params)) {
          shapes.set(name, p.shape);
          const g = weightDecay ? add(grads[name]!, mul(p, weightDecay)) : grads[name]!;
          const m = moment(M + name, beta1, g, o.accept);
          const v = moment(V + name, beta2, square(g), o.accept);
          const stepped = sub(p, mul(div(m, add(div(sqrt(v), correction2), eps)), stepSize));
          out[name] = o.accept ? where(o.accept, stepped, p) : stepped;
          updates[M + name] = m;
          updates[V + name] = v;
        }
        return { out, updates };
      });
      state.replace(updates);
      return out;
    },
    stateTensors: () => state.all(),
    loadState(tensors: TensorRecord): void {
      state.load(tensors, (name) => {
        if (name === STEP) return [];
        const param = name.startsWith(M) ? name.slice(M.length) : name.startsWith(V) ? name.slice(V.length) : undefined;
        return param === undefined ? undefined : shapes.get(param);
      });
    },
    dispose: () => state.dispose(),
  };
}
