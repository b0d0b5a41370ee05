/** Batched matrix product with transpose flags and NumPy broadcasting of the batch axes. */
import { isFloat } from "../dtype.ts";
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { broadcastShapes, formatShape, sizeOf } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { broadcastTo, sumTo } from "./broadcast.ts";

export interface MatmulOptions {
  /** Use aᵀ (the last two axes of a swapped). */
  transA?: boolean;
  /** Use bᵀ. */
  transB?: boolean;
}

/**
 * op(a) · op(b) over the last two axes, broadcasting the leading (batch) axes. a: [..., m, k] (or
 * [..., k, m] with transA), b: [..., k, n] (or [..., n, k] with transB).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkInput("matmul", a, "a");
  checkInput("matmul", b, "b");
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  if (a.rank < 2 || b.rank < 2) throw new KshotError(`matmul: expected tensors of rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  if (a.dtype !== b.dtype || !isFloat(a.dtype)) throw new KshotError(`matmul: expected two float tensors of one dtype, got ${a.dtype} and ${b.dtype}`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) {
    throw new KshotError(`matmul: inner dimensions differ: ${formatShape(a.shape)}${transA ? "ᵀ" : ""} · ${formatShape(b.shape)}${transB ? "ᵀ" : ""} (${k} vs ${k2})`);
  }
  const batchShape = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  return tidy(() => {
    // The kernel broadcasts a whole operand (stride 0) but not single batch axes: materialise those.
    const batchOf = (t: Tensor) => sizeOf(t.shape.slice(0, -2));
    const fit = (t: Tensor) => (batchOf(t) === 1 || batchOf(t) === batch ? t : broadcastTo(t, [...batchShape, ...t.shape.slice(-2)]));
    const fa = fit(a);
    const fb = fit(b);
    const y = emptyTensor([...batchShape, m, n], a.dtype);
    backend().matmul(fa.buffer, fb.buffer, y.buffer, {
      batch, m, n, k, transA, transB,
      aBatchStride: batchOf(fa) === 1 ? 0 : m * k,
      bBatchStride: batchOf(fb) === 1 ? 0 : k * n,
    });
    return record("matmul", y, [a, b], (g, _y, needs) => [
      needs[0] ? sumTo(transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transB: !transB }), a.shape) : null,
      needs[1] ? sumTo(transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA }), b.shape) : null,
    ]);
  });
}
