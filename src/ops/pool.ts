/**
 * 2-D max pooling (NCHW, no padding, floor); its backward is a scatter-add at the argmax indices. And the
 * pool over a per-channel affine map followed by ReLU (a BatchNorm, pool and ReLU), one kernel at inference.
 */
import type { Pool2dParams } from "../backend/backend.ts";
import { backend, isRecording, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { scatterAdd } from "./gather.ts";
import { relu } from "./elementwise.ts";
import { fused } from "./fused.ts";
import { checkFinite, zeros } from "./creation.ts";
import { concat, reshape } from "./shape.ts";

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
  if (x.rank !== 4) throw new KshotError(`${op}: expected x [N, C, H, W], got ${formatShape(x.shape)}`);
  const [kh, kw] = pair(options.kernel ?? 2);
  const [strideH, strideW] = pair(options.stride ?? [kh, kw]);
  if (![kh, kw, strideH, strideW].every((d) => Number.isInteger(d) && d >= 1)) {
    throw new KshotError(`${op}: kernel and stride must be positive integers, got ${JSON.stringify(options)}`);
  }
  const [batch, channels, inH, inW] = x.shape;
  const outH = Math.floor((inH - kh) / strideH) + 1;
  const outW = Math.floor((inW - kw) / strideW) + 1;
  if (outH < 1 || outW < 1) throw new KshotError(`${op}: a ${kh}×${kw} window does not fit ${formatShape(x.shape)}`);
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
  const vectors = [c.add, c.sub, c.mul, c.plus];
  for (const v of vectors) {
    if (v) checkInput("affinePoolRelu", v);
    if (v && (v.size !== p.channels || v.dtype !== x.dtype)) {
      throw new KshotError(`affinePoolRelu: expected per-channel values of ${p.channels} ${x.dtype} elements, got ${formatShape(v.shape)} ${v.dtype}`);
    }
  }
  const perChannel = (v: Tensor) => reshape(v, [1, p.channels, 1, 1]);
  if (isRecording() && [x, ...vectors].some((t) => t?.tracked)) {
    return tidy(() => {
      const inputs = [x, perChannel(c.sub), perChannel(c.mul), perChannel(c.plus), ...(c.add ? [perChannel(c.add)] : [])];
      const n = fused("affine", inputs, (f, x, sub, mul, plus, add) => f.add(f.mul(f.sub(add ? f.add(x, add) : x, sub), mul), plus));
      return relu(maxPool2d(n, options));
    });
  }
  return tidy(() => {
    // Adding zeros where there is no `add` changes at most the sign of a zero, which the ReLU makes +0.
    const channel = concat(vectors.map((v) => reshape(v ?? zeros([p.channels], x.dtype), [1, p.channels])), 0);
    const y = emptyTensor([p.batch, p.channels, p.outH, p.outW], x.dtype);
    backend().affinePoolRelu(x.buffer, channel.buffer, y.buffer, p);
    return checkFinite("affinePoolRelu", y);
  });
}
