/** 2-D max pooling (NCHW, no padding, floor); its backward is a scatter-add at the argmax indices. */
import type { Pool2dParams } from "../backend/backend.ts";
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { scatterAdd } from "./gather.ts";
import { reshape } from "./shape.ts";

export interface MaxPoolOptions {
  /** Window size, a number or [h, w]; default 2. */
  kernel?: number | readonly [number, number];
  /** Default: the kernel size. */
  stride?: number | readonly [number, number];
}

function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** Max over windows; the gradient goes to the first maximum of each window in row-major scan order. */
export function maxPool2d(x: Tensor, options: MaxPoolOptions = {}): Tensor {
  checkInput("maxPool2d", x);
  if (x.rank !== 4) throw new KshotError(`maxPool2d: expected x [N, C, H, W], got ${formatShape(x.shape)}`);
  const [kh, kw] = pair(options.kernel ?? 2);
  const [strideH, strideW] = pair(options.stride ?? [kh, kw]);
  if (![kh, kw, strideH, strideW].every((d) => Number.isInteger(d) && d >= 1)) {
    throw new KshotError(`maxPool2d: kernel and stride must be positive integers, got ${JSON.stringify(options)}`);
  }
  const [batch, channels, inH, inW] = x.shape;
  const outH = Math.floor((inH - kh) / strideH) + 1;
  const outW = Math.floor((inW - kw) / strideW) + 1;
  if (outH < 1 || outW < 1) throw new KshotError(`maxPool2d: a ${kh}×${kw} window does not fit ${formatShape(x.shape)}`);
  const p: Pool2dParams = { batch, channels, inH, inW, outH, outW, kh, kw, strideH, strideW };
  const y = emptyTensor([batch, channels, outH, outW], x.dtype);
  const indices = emptyTensor([batch * channels, outH * outW], "int32");
  backend().maxPool2d(x.buffer, y.buffer, indices.buffer, p);
  const out = record("maxPool2d", y, [x], (g) => [
    tidy(() => reshape(scatterAdd(reshape(g, [batch * channels, outH * outW]), indices, 1, inH * inW), x.shape)),
  ], [indices]);
  indices.dispose();
  return out;
}
