/** Broadcasting a tensor to a larger shape and its adjoint, summing back down to a shape. */
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { broadcastShapes, broadcastStrides, formatShape, sameShape, stridesOf, type Shape } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { sum } from "./reduce.ts";
import { reshape } from "./shape.ts";

/** Materialises `x` broadcast to `shape` (NumPy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkInput("broadcastTo", x);
  if (sameShape(x.shape, shape)) return x;
  const out = broadcastShapes("broadcastTo", x.shape, shape);
  if (!sameShape(out, shape)) throw new KshotError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  const y = emptyTensor(shape, x.dtype);
  backend().copy(x.buffer, y.buffer, { shape, srcStrides: broadcastStrides(x.shape, shape), srcOffset: 0, dstStrides: stridesOf(shape), dstOffset: 0 });
  const from = x.shape;
  return record("broadcastTo", y, [x], (g) => [sumTo(g, from)]);
}

/** Sums `g` over the axes along which `shape` was broadcast to g's shape: the adjoint of broadcasting. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return tidy(() => {
    const lead = g.rank - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
    return reshape(sum(g, axes), shape);
  });
}
