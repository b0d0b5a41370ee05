/**
 * Gradient-norm clipping by the global norm (PyTorch's `clip_grad_norm_`): with n = √(Σ‖g‖²) over every
 * gradient, each is scaled by min(1, maxNorm / (n + 1e-6)). Everything stays on the device.
 */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { add, cast, div, minimum, mul, sqrt, square } from "../ops/elementwise.ts";
import { sum } from "../ops/reduce.ts";
import { scalar } from "../ops/creation.ts";
import type { Tensor } from "../tensor.ts";
import { checkRange } from "./checks.ts";

/** √(Σ_k Σ g_k²): a scalar tensor (0 for an empty record). */
export function globalNorm(grads: TensorRecord): Tensor {
  return tidy(() => {
    const parts = Object.values(grads);
    if (parts.length === 0) return scalar(0);
    let total = sum(square(parts[0]!));
    for (const g of parts.slice(1)) total = add(total, sum(square(g)));
    return sqrt(total);
  });
}

/**
 * Gradients scaled to a global norm of at most `maxNorm`, and the norm before clipping (pass `norm` when
 * it is already computed).
 */
export function clipByGlobalNorm(grads: TensorRecord, maxNorm: number, norm?: Tensor): { grads: TensorRecord; norm: Tensor } {
  checkRange("clipByGlobalNorm", "maxNorm", maxNorm, 0);
  return tidy(() => {
    norm ??= globalNorm(grads);
    const scale = minimum(div(maxNorm, add(norm, 1e-6)), 1);
    const clipped: TensorRecord = {};
    for (const [name, g] of Object.entries(grads)) clipped[name] = mul(g, cast(scale, g.dtype));
    return { grads: clipped, norm };
  });
}
