/**
 * Stochastic gradient descent with optional momentum and L2 weight decay, as PyTorch's `torch.optim.SGD`
 * (dampening 0, no Nesterov): g ← g + λθ; b ← μb + g (b starts at g); θ ← θ − lr·b.
 *
 * State tensors: `momentum_buffer.<param>` (only with momentum).
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { add, mul, sub, where } from "../ops/elementwise.ts";
import { checkGradients, checkRange } from "./checks.ts";
import type { Optimizer, UpdateOptions } from "./optimizer.ts";
import { StateStore } from "./state-store.ts";

export interface SgdOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Momentum μ in [0, 1) (default 0: plain SGD). */
  momentum?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

const BUFFER = "momentum_buffer.";

export function sgd(options: SgdOptions = {}): Optimizer {
  const lr = checkRange("sgd", "lr", options.lr ?? 0.01, 0);
  const momentum = checkRange("sgd", "momentum", options.momentum ?? 0, 0, 1);
  const weightDecay = checkRange("sgd", "weightDecay", options.weightDecay ?? 0, 0);
  const state = new StateStore();
  const shapes = new Map<string, readonly number[]>();

  return {
    kind: "sgd",
    lr,
    config: { kind: "sgd", lr, momentum, weightDecay },
    update(params: TensorRecord, grads: TensorRecord, o: UpdateOptions = {}): TensorRecord {
      checkGradients("sgd", params, grads);
      const rate = checkRange("sgd", "the step's lr", o.lr ?? lr, 0);
      const buffers: TensorRecord = {};
      const next = tidy(() => {
        const out: TensorRecord = {};
        for (const [name, p] of Object.entries(params)) {
          shapes.set(name, p.shape);
          let g = weightDecay ? add(grads[name]!, mul(p, weightDecay)) : grads[name]!;
          if (momentum) {
            const previous = state.get(BUFFER + name);
            let b = previous ? add(mul(previous, momentum), g) : g;
            // A skipped step keeps the buffer; a skipped first step leaves it at zero (μ·0 + g = g next time).
            if (o.accept) b = where(o.accept, b, previous ?? 0);
            buffers[BUFFER + name] = b;
            g = b;
          }
          const stepped = sub(p, mul(g, rate));
          out[name] = o.accept ? where(o.accept, stepped, p) : stepped;
        }
        return { out, buffers };
      });
      state.replace(next.buffers);
      return next.out;
    },
    stateTensors: () => state.all(),
    loadState(tensors: TensorRecord): void {
      state.load(tensors, (name) => (name.startsWith(BUFFER) ? shapes.get(name.slice(BUFFER.length)) : undefined));
    },
    dispose: () => state.dispose(),
  };
}
