/**
 * Stochastic gradient descent with optional momentum and L2 weight decay, as PyTorch's `torch.optim.SGD`
 * (dampening 0, no Nesterov): g ← g + λθ; b ← μb + g (b starts at g); θ ← θ − lr·b.
 *
 * State tensors: `momentum_buffer.<param>` (only with momentum).
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { cast } from "../ops/elementwise.ts";
import { type FusedValue, fusedRecord, type ProgramBuilder } from "../ops/fused.ts";
import type { Tensor } from "../tensor.ts";
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
        const first = Object.values(params)[0];
        const accept = o.accept && first ? cast(o.accept, first.dtype) : undefined;
        for (const [name, p] of Object.entries(params)) {
          shapes.set(name, p.shape);
          const decayed = (f: ProgramBuilder, g: FusedValue, p: FusedValue) => (weightDecay ? f.add(g, f.mul(p, weightDecay)) : g);
          let direction: Tensor | undefined;
          if (momentum) {
            const previous = state.get(BUFFER + name);
            // A skipped step keeps the buffer; a skipped first step leaves it at zero (μ·0 + g = g next time).
            direction = fusedRecord("sgd momentum", { g: grads[name], p, previous, accept }, (f, t) => {
              const g = decayed(f, t.g!, t.p!);
              const b = t.previous ? f.add(f.mul(t.previous, momentum), g) : g;
              return t.accept ? f.where(t.accept, b, t.previous ?? 0) : b;
            });
            buffers[BUFFER + name] = direction;
          }
          out[name] = fusedRecord("sgd step", { p, g: grads[name], direction, accept }, (f, t) => {
            const stepped = f.sub(t.p!, f.mul(t.direction ?? decayed(f, t.g!, t.p!), rate));
            return t.accept ? f.where(t.accept, stepped, t.p!) : stepped;
          });
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
