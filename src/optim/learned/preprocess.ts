/**
 * The gradient preprocessing of Andrychowicz et al. 2016 (appendix A): each coordinate's gradient g becomes
 * two inputs that stay in a small range whatever g's magnitude,
 *   (log|g| / p, sign(g))   when |g| ≥ e^−p,
 *   (−1, e^p · g)           otherwise.
 * The result is a constant to autodiff: the paper drops the second derivatives ∂∇/∂φ (§2.1), and so does
 * every user here.
 */
import { tidy } from "../../engine.ts";
import { abs, greaterEqual, log, maximum, mul, sign, stopGradient, where } from "../../ops/elementwise.ts";
import { reshape, concat } from "../../ops/shape.ts";
import type { Tensor } from "../../tensor.ts";
import { checkRange } from "../checks.ts";

/**
 * The two preprocessed features of every element of `g`, each shaped like `g`, as constants.
 *
 * @param g the gradient (or a loss) of any shape
 * @param p the preprocessing constant p (the paper: 10)
 */
export function preprocessParts(g: Tensor, p = 10): [Tensor, Tensor] {
  checkRange("preprocessGradient", "p", p, 0, Infinity);
  return tidy(() => {
    const x = stopGradient(g);
    const threshold = Math.exp(-p);
    const magnitude = abs(x);
    const large = greaterEqual(magnitude, threshold);
    const logScaled = mul(log(maximum(magnitude, threshold)), 1 / p);
    return [where(large, logScaled, -1), where(large, sign(x), mul(x, Math.exp(p)))];
  });
}

/**
 * Preprocessed gradient [N, 2] of a gradient of any shape (N = its size), as constants.
 *
 * @param g the gradient (any shape)
 * @param p the preprocessing constant p (the paper: 10)
 * @example
 * const inputs = ks.optim.preprocessGradient(ks.tensor([1e-6, 0.5, -3]), 10);   // [3, 2]
 */
export function preprocessGradient(g: Tensor, p = 10): Tensor {
  return tidy(() => concat(preprocessParts(g, p).map((x) => reshape(x, [g.size, 1])), 1));
}
