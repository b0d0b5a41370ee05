/**
 * 2-D max pooling (NCHW, no padding, floor); its backward is a scatter-add at the argmax indices. And the
 * pool over a per-channel affine map followed by ReLU (a BatchNorm, pool and ReLU), one kernel at inference.
 */
import type { Pool2dParams } from "../backend/backend.ts";
import { backend, isRecording, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape, type Shape } from "../shape.ts";
import type { DType } from "../dtype.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { scatterAdd } from "./gather.ts";
import { relu } from "./elementwise.ts";
import { fused } from "./fused.ts";
import { checkFinite, zeros } from "./creation.ts";
import { concat, reshape } from "./shape.ts";
import { type Conv2dOptions, conv2d, convParams } from "./conv.ts";

export interface MaxPoolOptions {
  /** Window size, a number or [h, w]; default 2. */
  kernel?: number | readonly [number, number];
  /** Default: the kernel size. */
  stride?: number | readonly [number, number];
}

function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** The pooling parameters of x [N, C, H, W] under `options`, checked. */
function poolParams(op: string, x: Tensor, options: MaxPoolOptions): Pool2dParams {
  checkInput(op, x);
  return poolParamsOf(op, x.shape, options);
}

/** The pooling parameters of an input of shape [N, C, H, W] under `options`, checked. */
function poolParamsOf(op: string, shape: Shape, options: MaxPoolOptions, input = "x"): Pool2dParams {
  if (shape.length !== 4) throw new KshotError(`${op}: expected ${input} [N, C, H, W], got ${formatShape(shape)}`);
  const [kh, kw] = pair(options.kernel ?? 2);
  const [strideH, strideW] = pair(options.stride ?? [kh, kw]);
  if (![kh, kw, strideH, strideW].every((d) => Number.isInteger(d) && d >= 1)) {
    throw new KshotError(`${op}: kernel and stride must be positive integers, got ${JSON.stringify(options)}`);
  }
  const [batch, channels, inH, inW] = shape;
  const outH = Math.floor((inH - kh) / strideH) + 1;
  const outW = Math.floor((inW - kw) / strideW) + 1;
  if (outH < 1 || outW < 1) throw new KshotError(`${op}: a ${kh}×${kw} window does not fit ${input === "x" ? "" : `${input} `}${formatShape(shape)}`);
  return { batch, channels, inH, inW, outH, outW, kh, kw, strideH, strideW };
}

/** Max over windows; the gradient goes to the first maximum of each window in row-major scan order. */
export function maxPool2d(x: Tensor, options: MaxPoolOptions = {}): Tensor {
  const p = poolParams("maxPool2d", x, options);
  const { batch, channels, inH, inW, outH, outW } = p;
  const y = emptyTensor([batch, channels, outH, outW], x.dtype);
  const indices = emptyTensor([batch * channels, outH * outW], "int32");
  backend().maxPool2d(x.buffer, y.buffer, indices.buffer, p);
  const out = record("maxPool2d", y, [x], (g) => [
    tidy(() => reshape(scatterAdd(reshape(g, [batch * channels, outH * outW]), indices, 1, inH * inW), x.shape)),
  ], [indices]);
  indices.dispose();
  return out;
}

/** Per-channel values of `affinePoolRelu`, each of C elements (any shape, e.g. [1, C, 1, 1]). */
export interface ChannelAffine {
  /** Added first; default none. */
  add?: Tensor;
  sub: Tensor;
  mul: Tensor;
  /** Added last. */
  plus: Tensor;
}

/**
 * relu(maxPool2d(((x + add) − sub)·mul + plus)) with per-channel values over x [N, C, H, W]: a BatchNorm
 * with given statistics (sub: the mean, mul: the scale, plus: the shift; add: a convolution's bias), the
 * pool and the ReLU. Without a gradient to record, one kernel that reads x once and writes the pooled
 * output (no indices); otherwise the fused chain, the pool and the ReLU as ops. The same values either way.
 *
 * @example
 * const y = ks.affinePoolRelu(conv, { sub: mean, mul: scale, plus: shift });
 */
export function affinePoolRelu(x: Tensor, c: ChannelAffine, options: MaxPoolOptions = {}): Tensor {
  const p = poolParams("affinePoolRelu", x, options);
  const vectors = channelVectors("affinePoolRelu", c, p.channels, x.dtype);
  if (isRecording() && [x, ...vectors].some((t) => t?.tracked)) return affinePoolReluOps(x, c, options);
  return tidy(() => {
    const channel = channelMatrix(vectors, p.channels, x.dtype);
    const y = emptyTensor([p.batch, p.channels, p.outH, p.outW], x.dtype);
    backend().affinePoolRelu(x.buffer, channel.buffer, y.buffer, p);
    return checkFinite("affinePoolRelu", y);
  });
}

/** affinePoolRelu as recordable ops: the fused chain, the pool, the ReLU. */
function affinePoolReluOps(x: Tensor, c: ChannelAffine, options: MaxPoolOptions): Tensor {
  return tidy(() => {
    const perChannel = (v: Tensor) => reshape(v, [1, x.shape[1], 1, 1]);
    const inputs = [x, perChannel(c.sub), perChannel(c.mul), perChannel(c.plus), ...(c.add ? [perChannel(c.add)] : [])];
    const n = fused("affine", inputs, (f, x, sub, mul, plus, add) => f.add(f.mul(f.sub(add ? f.add(x, add) : x, sub), mul), plus));
    return relu(maxPool2d(n, options));
  });
}

/** The values of `c` in the order add, sub, mul, plus, checked to be `channels` values of `dtype` each. */
function channelVectors(op: string, c: ChannelAffine, channels: number, dtype: DType): (Tensor | undefined)[] {
  const vectors = [c.add, c.sub, c.mul, c.plus];
  for (const v of vectors) {
    if (v) checkInput(op, v);
    if (v && (v.size !== channels || v.dtype !== dtype)) {
      throw new KshotError(`${op}: expected per-channel values of ${channels} ${dtype} elements, got ${formatShape(v.shape)} ${v.dtype}`);
    }
  }
  return vectors;
}

/** The kernels' [4, channels] matrix of the values (add, sub, mul, plus). */
function channelMatrix(vectors: readonly (Tensor | undefined)[], channels: number, dtype: DType): Tensor {
  // Adding zeros where there is no `add` changes at most the sign of a zero, which the ReLU makes +0.
  return concat(vectors.map((v) => reshape(v ?? zeros([channels], dtype), [1, channels])), 0);
}

/** Options of `conv2dAffinePoolRelu`: the convolution's, and the pool's under `pool`. */
export interface ConvPoolOptions extends Conv2dOptions {
  /** The pool's window and stride; default a 2×2 window at stride 2. */
  pool?: MaxPoolOptions;
}

/**
 * affinePoolRelu(conv2d(x, w, options), c, options.pool): a convolution, its bias, a BatchNorm with given
 * statistics, the pool and the ReLU — a Conv-4 block at inference. Without a gradient to record, on a
 * backend that fuses them (wasm), one call that never writes the convolution's full-size output; otherwise
 * the two ops. The same values either way.
 *
 * @example
 * const y = ks.conv2dAffinePoolRelu(x, w, { add: bias, sub: mean, mul: scale, plus: shift }, { padding: 1 });
 */
export function conv2dAffinePoolRelu(x: Tensor, w: Tensor, c: ChannelAffine, options: ConvPoolOptions = {}): Tensor {
  const k = backend();
  checkInput("conv2dAffinePoolRelu", x, "x");
  checkInput("conv2dAffinePoolRelu", w, "w");
  const conv = convParams(x.shape, w.shape, options);
  const pool = poolParamsOf("conv2dAffinePoolRelu", [conv.batch, conv.outC, conv.outH, conv.outW], options.pool ?? {}, "the convolution's output");
  const vectors = channelVectors("conv2dAffinePoolRelu", c, pool.channels, x.dtype);
  const recording = isRecording() && [x, w, ...vectors].some((t) => t?.tracked);
  if (recording || !k.conv2dAffinePoolRelu || x.dtype !== "float32" || w.dtype !== "float32") {
    return tidy(() => affinePoolRelu(conv2d(x, w, options), c, options.pool));
  }
  return tidy(() => {
    const channel = channelMatrix(vectors, pool.channels, x.dtype);
    const y = emptyTensor([pool.batch, pool.channels, pool.outH, pool.outW], x.dtype);
    k.conv2dAffinePoolRelu?.(x.buffer, w.buffer, channel.buffer, y.buffer, conv, pool);
    return checkFinite("conv2dAffinePoolRelu", y);
  });
}
