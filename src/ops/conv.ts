/**
 * 2-D convolution (NCHW, OIHW weights, cross-correlation as in PyTorch) and its two adjoints, which are
 * ops in their own right so that second derivatives through convolutions work:
 *   conv2d(x, w)               → y
 *   conv2dBackwardData(dy, w)  → dx  (adjoint in x; VJP: conv2d in dy, conv2dBackwardFilter in w)
 *   conv2dBackwardFilter(x, dy) → dw (adjoint in w; VJP: conv2dBackwardData in x, conv2d in dy)
 */
import type { Conv2dParams } from "../backend/backend.ts";
import { isFloat } from "../dtype.ts";
import { backend } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape, type Shape } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";

export interface Conv2dOptions {
  /** A number or [h, w]; default 1. */
  stride?: number | readonly [number, number];
  /** A number or [h, w] of zero padding on each side; default 0. */
  padding?: number | readonly [number, number];
  /** Channel groups; default 1. */
  groups?: number;
}

function pair(name: string, v: number | readonly [number, number] | undefined, dflt: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= min)) throw new KshotError(`conv2d: ${name} must be integers ≥ ${min}, got ${JSON.stringify(v)}`);
  return p;
}

/** The kernel parameters for input shape [N,C,H,W] and weight shape [O, C/groups, kh, kw], validated. */
export function convParams(xShape: Shape, wShape: Shape, options: Conv2dOptions): Conv2dParams {
  const [strideH, strideW] = pair("stride", options.stride, 1, 1);
  const [padH, padW] = pair("padding", options.padding, 0, 0);
  const groups = options.groups ?? 1;
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new KshotError(`conv2d: expected x [N, C, H, W] and w [O, C/groups, kh, kw], got ${formatShape(xShape)} and ${formatShape(wShape)}`);
  }
  const [batch, inC, inH, inW] = xShape;
  const [outC, cPerGroup, kh, kw] = wShape;
  if (!Number.isInteger(groups) || groups < 1 || inC % groups !== 0 || outC % groups !== 0 || cPerGroup !== inC / groups) {
    throw new KshotError(`conv2d: ${groups} groups do not fit x ${formatShape(xShape)} and w ${formatShape(wShape)} (need C and O divisible by groups, w.shape[1] = C/groups)`);
  }
  const outH = Math.floor((inH + 2 * padH - kh) / strideH) + 1;
  const outW = Math.floor((inW + 2 * padW - kw) / strideW) + 1;
  if (outH < 1 || outW < 1) throw new KshotError(`conv2d: a ${kh}×${kw} kernel does not fit input ${inH}×${inW} with padding ${padH},${padW}`);
  return { batch, inC, inH, inW, outC, outH, outW, kh, kw, strideH, strideW, padH, padW, groups };
}

function checkFloat(op: string, ...ts: Tensor[]): void {
  if (!ts.every((t) => isFloat(t.dtype) && t.dtype === ts[0].dtype)) {
    throw new KshotError(`${op}: expected float tensors of one dtype, got ${ts.map((t) => t.dtype).join(", ")}`);
  }
}

/** Runs a conv kernel on validated params; records the VJP written with the other two ops. */
function convOp(op: string, p: Conv2dParams, a: Tensor, b: Tensor, outShape: Shape): Tensor {
  const y = emptyTensor(outShape, a.dtype);
  const k = backend();
  if (op === "conv2d") k.conv2d(a.buffer, b.buffer, y.buffer, p);
  else if (op === "conv2dBackwardData") k.conv2dBackwardData(a.buffer, b.buffer, y.buffer, p);
  else k.conv2dBackwardFilter(a.buffer, b.buffer, y.buffer, p);
  return record(op, y, [a, b], (g, _y, needs) => {
    if (op === "conv2d") return [needs[0] ? backwardData(g, b, p) : null, needs[1] ? backwardFilter(a, g, p) : null];
    if (op === "conv2dBackwardData") return [needs[0] ? forward(g, b, p) : null, needs[1] ? backwardFilter(g, a, p) : null];
    return [needs[0] ? backwardData(b, g, p) : null, needs[1] ? forward(a, g, p) : null];
  });
}

const xShapeOf = (p: Conv2dParams): Shape => [p.batch, p.inC, p.inH, p.inW];
const wShapeOf = (p: Conv2dParams): Shape => [p.outC, p.inC / p.groups, p.kh, p.kw];
const yShapeOf = (p: Conv2dParams): Shape => [p.batch, p.outC, p.outH, p.outW];

const forward = (x: Tensor, w: Tensor, p: Conv2dParams) => convOp("conv2d", p, x, w, yShapeOf(p));
const backwardData = (dy: Tensor, w: Tensor, p: Conv2dParams) => convOp("conv2dBackwardData", p, dy, w, xShapeOf(p));
const backwardFilter = (x: Tensor, dy: Tensor, p: Conv2dParams) => convOp("conv2dBackwardFilter", p, x, dy, wShapeOf(p));

/** y = conv2d(x, w): x [N, C, H, W], w [O, C/groups, kh, kw] → y [N, O, H', W']. No bias (add it). */
export function conv2d(x: Tensor, w: Tensor, options: Conv2dOptions = {}): Tensor {
  checkInput("conv2d", x, "x");
  checkInput("conv2d", w, "w");
  checkFloat("conv2d", x, w);
  return forward(x, w, convParams(x.shape, w.shape, options));
}

/** The gradient of conv2d with respect to its input of shape `xShape`, given dy. */
export function conv2dBackwardData(dy: Tensor, w: Tensor, xShape: Shape, options: Conv2dOptions = {}): Tensor {
  checkInput("conv2dBackwardData", dy, "dy");
  checkInput("conv2dBackwardData", w, "w");
  checkFloat("conv2dBackwardData", dy, w);
  const p = convParams(xShape, w.shape, options);
  checkDy("conv2dBackwardData", dy, p);
  return backwardData(dy, w, p);
}

/** The gradient of conv2d with respect to its weight of shape `wShape`, given x and dy. */
export function conv2dBackwardFilter(x: Tensor, dy: Tensor, wShape: Shape, options: Conv2dOptions = {}): Tensor {
  checkInput("conv2dBackwardFilter", x, "x");
  checkInput("conv2dBackwardFilter", dy, "dy");
  checkFloat("conv2dBackwardFilter", x, dy);
  const p = convParams(x.shape, wShape, options);
  checkDy("conv2dBackwardFilter", dy, p);
  return backwardFilter(x, dy, p);
}

function checkDy(op: string, dy: Tensor, p: Conv2dParams): void {
  const want = yShapeOf(p);
  if (dy.rank !== 4 || dy.shape.some((d, i) => d !== want[i])) {
    throw new KshotError(`${op}: expected dy of shape ${formatShape(want)}, got ${formatShape(dy.shape)}`);
  }
}
