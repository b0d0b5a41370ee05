/**
 * Adam (Kingma & Ba, 2015) with PyTorch's semantics (`torch.optim.Adam`, L2 weight decay, no AMSGrad):
 *   g ← g + λθ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  t ← t + 1
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)      (ε outside the square root)
 *
 * The step count t and the bias corrections 1 − β^t are device scalars, so a step skipped through `accept`
 * advances neither, and nothing needs reading back. State tensors: `step`, `bias_correction1`,
 * `bias_correction2`, `exp_avg.<param>` (m) and `exp_avg_sq.<param>` (v) (PyTorch's names where it has them).
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { scalar } from "../ops/creation.ts";
import { add, cast, div, sqrt } from "../ops/elementwise.ts";
import { fusedRecord } from "../ops/fused.ts";
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
const BIAS1 = "bias_correction1";
const BIAS2 = "bias_correction2";
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

  /**
   * β·old + (1−β)·x, or (1−β)·x before the first step, with x the (weight-decayed) gradient or its square;
   * a skipped step keeps the old value. One fused kernel per parameter, same arithmetic as the ops.
   */
  const moment = (name: string, beta: number, squared: boolean, g: Tensor, p: Tensor, accept?: Tensor): Tensor => {
    const old = state.get(name);
    return fusedRecord("adam moment", { g, p, old, accept }, (f, t) => {
      const decayed = weightDecay ? f.add(t.g!, f.mul(t.p!, weightDecay)) : t.g!;
      const x = squared ? f.square(decayed) : decayed;
      const next = t.old ? f.add(f.mul(t.old, beta), f.mul(x, 1 - beta)) : f.mul(x, 1 - beta);
      return t.accept ? f.where(t.accept, next, t.old ?? 0) : next;
    });
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
        const accept = o.accept ? cast(o.accept, dtype) : undefined;
        const step = add(state.get(STEP) ?? scalar(0, dtype), accept ?? 1);
        // 1 − β^t, carried as c_t = (1 − β) + β·c_{t−1}: only correctly rounded + and ×, no pow (approximate
        // on GPUs) and no cancellation (1 − β is exact in double before rounding).
        const correction = (name: string, beta: number) => {
          const old = state.get(name);
          if (!old && !accept) return scalar(1 - beta, dtype);
          return fusedRecord("adam bias correction", { old, accept }, (f, t) => {
            const next = t.old ? f.add(f.mul(t.old, beta), 1 - beta) : f.constant(1 - beta);
            return t.accept ? f.where(t.accept, next, t.old ?? 0) : next;
          });
        };
        const correction1 = correction(BIAS1, beta1);
        const correction2 = correction(BIAS2, beta2);
        const stepSize = div(rate, correction1);
        const root2 = sqrt(correction2);
        const out: TensorRecord = {};
        const updates: TensorRecord = { [STEP]: step, [BIAS1]: correction1, [BIAS2]: correction2 };
        for (const [name, p] of Object.entries(params)) {
          shapes.set(name, p.shape);
          const m = moment(M + name, beta1, false, grads[name]!, p, accept);
          const v = moment(V + name, beta2, true, grads[name]!, p, accept);
          out[name] = fusedRecord("adam step", { p, m, v, root2, stepSize, accept }, (f, t) => {
            const stepped = f.sub(t.p!, f.mul(f.div(t.m!, f.add(f.div(f.sqrt(t.v!), t.root2!), eps)), t.stepSize!));
            return t.accept ? f.where(t.accept, stepped, t.p!) : stepped;
          });
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
        if (name === STEP || name === BIAS1 || name === BIAS2) return [];
        const param = name.startsWith(M) ? name.slice(M.length) : name.startsWith(V) ? name.slice(V.length) : undefined;
        return param === undefined ? undefined : shapes.get(param);
      });
    },
    dispose: () => state.dispose(),
  };
}
