/**
 * Small dense linear algebra as differentiable ops: the inverse of symmetric positive-definite matrices
 * (covariances with a ridge, D up to a few hundred), batched over leading axes.
 *
 * The forward pass is the Newton–Schulz iteration X ← 2X − X·A·X (Schulz 1933; Higham, Functions of
 * Matrices, 2008, §7.3), started at X₀ = I / ‖A‖_F. For SPD A the residual E = I − A·X starts at
 * ‖E₀‖₂ = 1 − λ_min/‖A‖_F < 1 and squares at every step (E_{k+1} = E_k²), so k steps reach
 * ‖E_k‖₂ ≤ (1 − 1/c)^(2^k), c = ‖A‖_F / λ_min ≤ √D·κ(A). The default 30 steps converge for c up to
 * about 6·10⁷ (2³⁰ ≥ c·ln(1/ε), ε = 2⁻²⁴); for a matrix that is not positive definite the result is not an
 * inverse. In float32 the rounding grows with c: max |A·X − I| on wasm (random M·Mᵀ/D + ridge·I) was
 * 1.3e-6 at c = 65, 4.3e-5 at c = 955 and 4.5e-4 at c = 3.7·10³ (D = 64), 6.6e-2 at c = 1.9·10⁴ (D = 16);
 * test/ops/linalg.test.ts checks a well- and an ill-conditioned case. It uses matmuls only (one kernel the
 * three backends share) and reads no value back, so it runs inside a WebGPU command stream.
 *
 * The gradient is the inverse's own, not the iteration's: d(A⁻¹) = −A⁻¹·dA·A⁻¹, so the VJP is
 * −Xᵀ·G·Xᵀ, written with ops (second derivatives work).
 */
import { isFloat } from "../dtype.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { arange } from "./creation.ts";
import { div, mul, neg, sqrt, square, sub } from "./elementwise.ts";
import { oneHot } from "./gather.ts";
import { matmul } from "./matmul.ts";
import { sum } from "./reduce.ts";

export interface SpdInverseOptions {
  /** Newton–Schulz steps (default 30: converged for ‖A‖_F / λ_min up to about 6·10⁷; see the file header for float32 rounding). */
  iterations?: number;
}

export const SPD_INVERSE_ITERATIONS = 30;

/** The n×n identity of `dtype`. */
export function eye(n: number, dtype: Tensor["dtype"] = "float32"): Tensor {
  return oneHot(arange(n), n, dtype);
}

function newtonSchulz(a: Tensor, iterations: number): Tensor {
  const n = a.shape.at(-1)!;
  let x = tidy(() => div(eye(n, a.dtype), sqrt(sum(square(a), [-2, -1], true))));
  for (let i = 0; i < iterations; i++) {
    const next = tidy(() => sub(mul(x, 2), matmul(matmul(x, a), x)));
    x.dispose();
    x = next;
  }
  return x;
}

/**
 * The inverse of each symmetric positive-definite matrix of `a` [..., D, D] (see the file header for the
 * method and its accuracy). Differentiable to any order.
 *
 * @param a SPD matrices [..., D, D], float
 * @param options `iterations`: Newton–Schulz steps (default 30)
 * @example
 * const q = ks.add(ks.matmul(z, z, { transA: true }), ks.eye(64));   // a covariance plus a ridge
 * const precision = ks.spdInverse(q);
 */
export function spdInverse(a: Tensor, options: SpdInverseOptions = {}): Tensor {
  checkInput("spdInverse", a);
  const iterations = options.iterations ?? SPD_INVERSE_ITERATIONS;
  if (a.rank < 2 || a.shape.at(-1) !== a.shape.at(-2) || !isFloat(a.dtype)) {
    throw new KshotError(`spdInverse: expected float square matrices [..., D, D], got ${a.dtype} ${formatShape(a.shape)}`);
  }
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100) {
    throw new KshotError(`spdInverse: expected iterations to be an integer from 1 to 100, got ${iterations}`);
  }
  const x = noGrad(() => newtonSchulz(a, iterations));
  return record("spdInverse", x, [a], (g, y) => [neg(matmul(matmul(y, g, { transA: true }), y, { transB: true }))]);
}
