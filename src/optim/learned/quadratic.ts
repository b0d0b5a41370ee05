/**
 * The random quadratics of Andrychowicz et al. 2016 (§3.1): f(θ) = ‖Wθ − y‖² with W [d, d] and y [d]
 * drawn from N(0, 1), d = 10, and θ starting from N(0, 0.01²) (the paper's published code).
 */
import type { TensorRecord } from "../../autograd.ts";
import { tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import { tensor } from "../../ops/creation.ts";
import { square, sub } from "../../ops/elementwise.ts";
import { matmul } from "../../ops/matmul.ts";
import { sum } from "../../ops/reduce.ts";
import { reshape } from "../../ops/shape.ts";
import type { Rng } from "../../rng.ts";
import type { Tensor } from "../../tensor.ts";
import type { Optimizee } from "./optimizee.ts";

export interface QuadraticOptions {
  /** Dimension d (default 10). */
  dim?: number;
  /** Standard deviation of the starting θ (default 0.01). */
  initStd?: number;
}

/** `n` draws from N(0, std²). */
export function normals(rng: Rng, n: number, std = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal(0, std);
  return v;
}

/**
 * The quadratics of the given W [count, d, d] and y [count, d] as one optimizee with parameters
 * `{ theta: [count, d] }` starting from N(0, initStd²). It takes ownership of `w` and `y`.
 */
export function quadraticFunctions(w: Tensor, y: Tensor, initStd = 0.01): Optimizee {
  const [count, d] = w.shape;
  if (w.rank !== 3 || w.shape[2] !== d || y.rank !== 2 || y.shape[0] !== count || y.shape[1] !== d) {
    throw new KshotError(`quadratics: expected W [count, d, d] and y [count, d], got W [${w.shape.join(", ")}] and y [${y.shape.join(", ")}]`);
  }
  const target = reshape(y, [count, d, 1]);
  y.dispose();
  return {
    count,
    init: (r: Rng): TensorRecord => ({ theta: tensor(normals(r, count * d, initStd), [count, d], w.dtype) }),
    losses(params: TensorRecord): Tensor {
      const theta = params.theta;
      if (theta?.rank !== 2 || theta.shape[0] !== count || theta.shape[1] !== d) {
        throw new KshotError(`quadratics: expected params { theta: [${count}, ${d}] }, got ${theta ? `theta [${theta.shape.join(", ")}]` : Object.keys(params).join(", ")}`);
      }
      return tidy(() => sum(square(sub(matmul(w, reshape(theta, [count, d, 1])), target)), [1, 2]));
    },
    dispose() {
      w.dispose();
      target.dispose();
    },
  };
}

/**
 * `count` random quadratics drawn from `rng` (W and y from N(0, 1)), as one optimizee with parameters
 * `{ theta: [count, d] }`.
 *
 * @param rng the functions' generator (held-out functions: a different fork)
 * @param count functions in the batch
 * @example
 * const f = ks.optim.quadratics(new ks.Rng(1), 128);
 * const theta = f.init(new ks.Rng(2));          // { theta: [128, 10] }
 * const losses = f.losses(theta);               // [128]
 */
export function quadratics(rng: Rng, count: number, options: QuadraticOptions = {}): Optimizee {
  const d = options.dim ?? 10;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(d) || d < 1) {
    throw new KshotError(`quadratics: expected a positive integer count and dim, got ${String(count)} and ${String(d)}`);
  }
  const w = tensor(normals(rng, count * d * d), [count, d, d]);
  return quadraticFunctions(w, tensor(normals(rng, count * d), [count, d]), options.initStd ?? 0.01);
}
