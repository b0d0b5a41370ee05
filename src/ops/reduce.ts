/** Reductions over axes: sum, mean, max, min, argmax, logsumexp. */
import type { ReduceOp } from "../backend/backend.ts";
import { isFloat } from "../dtype.ts";
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { reduceOutputDType } from "../optable/index.ts";
import { normalizeAxes, sizeOf } from "../shape.ts";
import { emptyTensor, type Tensor, viewOf } from "../tensor.ts";
import { broadcastTo } from "./broadcast.ts";
import { abs, add, div, equal, exp, log, mul, stopGradient, sub, where } from "./elementwise.ts";
import { reshape } from "./shape.ts";

export type Axes = number | readonly number[];

/** Maximal runs of consecutive axes, e.g. [0, 2, 3] → [[0], [2, 3]]. */
function contiguousRuns(axes: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === a - 1) last.push(a);
    else runs.push([a]);
  }
  return runs;
}

/** Reduces one run of consecutive axes with one kernel call; the run's axes are dropped. */
function reduceRun(op: ReduceOp, x: Tensor, run: readonly number[]): Tensor {
  const first = run[0];
  const last = run[run.length - 1];
  const outer = sizeOf(x.shape.slice(0, first));
  const r = sizeOf(x.shape.slice(first, last + 1));
  const inner = sizeOf(x.shape.slice(last + 1));
  const outShape = [...x.shape.slice(0, first), ...x.shape.slice(last + 1)];
  const y = emptyTensor(outShape, reduceOutputDType(op, x.dtype));
  backend().reduce(op, x.buffer, y.buffer, outer, r, inner);
  return y;
}

/** Runs a reduction kernel over `axes` (runs reduced last to first) without recording gradients. */
function reduceKernel(op: ReduceOp, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  if (axes.some((a) => x.shape[a] === 0) && op !== "sum") {
    throw new KshotError(`${op}: cannot reduce over an empty axis of a tensor of shape [${x.shape.join(", ")}]`);
  }
  const runs = contiguousRuns(axes).reverse();
  let y = x;
  for (const run of runs) {
    const next = reduceRun(op, y, run);
    if (y !== x) y.dispose();
    y = next;
  }
  if (y === x) y = viewOf(x, x.shape);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return keepDims ? reshapeView(y, kept) : y;
}

function reshapeView(y: Tensor, shape: number[]): Tensor {
  const v = viewOf(y, shape);
  y.dispose();
  return v;
}

/** Sum over `axes` (all by default). */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  checkInput("sum", x);
  const ax = normalizeAxes("sum", axes, x.rank);
  const y = reduceKernel("sum", x, ax, keepDims);
  const from = x.shape;
  const kept = from.map((d, i) => (ax.includes(i) ? 1 : d));
  return record("sum", y, [x], (g) => [broadcastTo(reshape(g, kept), from)]);
}

/** Mean over `axes` (all by default). */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const ax = normalizeAxes("mean", axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  return tidy(() => div(sum(x, ax, keepDims), count));
}

function extremum(op: "max" | "min", x: Tensor, axes: Axes | undefined, keepDims: boolean): Tensor {
  checkInput(op, x);
  const ax = normalizeAxes(op, axes, x.rank);
  const y = reduceKernel(op, x, ax, keepDims);
  const from = x.shape;
  const kept = from.map((d, i) => (ax.includes(i) ? 1 : d));
  // The gradient is shared evenly between tied extrema (like PyTorch's amax/amin).
  return record(op, y, [x], (g, out) => {
    const mask = equal(x, reshape(out, kept));
    const count = sum(mask, ax, true);
    return [mul(div(mask, count), reshape(g, kept))];
  });
}

export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return extremum("max", x, axes, keepDims);
}

export function min(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return extremum("min", x, axes, keepDims);
}

/** Index (int32) of the first maximum along one axis. */
export function argmax(x: Tensor, axis = -1, keepDims = false): Tensor {
  checkInput("argmax", x);
  const ax = normalizeAxes("argmax", axis, x.rank);
  return reduceKernel("argmax", x, ax, keepDims);
}

/** log Σ exp(x) over `axes`, stabilised by the (constant) maximum; −∞ rows give −∞. */
export function logsumexp(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  checkInput("logsumexp", x);
  if (!isFloat(x.dtype)) throw new KshotError(`logsumexp: expected a float tensor, got ${x.dtype}`);
  const ax = normalizeAxes("logsumexp", axes, x.rank);
  return tidy(() => {
    const m0 = stopGradient(max(x, ax, true));
    const m = where(equal(abs(m0), Infinity), 0, m0);
    const s = log(sum(exp(sub(x, m)), ax, true));
    const y = add(s, m);
    return keepDims ? y : reshape(y, x.shape.filter((_, i) => !ax.includes(i)));
  });
}
