// A convolution followed by affinePoolRelu (Conv-4's block at inference: bias, BatchNorm with given
// statistics, max-pool, ReLU) in one call. The convolution runs a few images at a time into a scratch
// block that stays in cache, and the pool reads it from there: the convolution's full-size output, four
// times the pooled one, never goes to memory and back. An image's convolution is the one conv2d computes
// for the whole batch (its arithmetic does not depend on the batch), so the result is exactly
// affinePoolRelu(conv2d(x, w)) — except where conv2d sends the whole batch to its exact path (a NaN or
// ±Inf met by Winograd or in packed patches): then this call does too.
import { at } from "./address";
import { convolve } from "./conv";
import { ConvShape as s } from "./conv-shape";
import { PackCheck } from "./gemm-pack";
import { alloc, free } from "./memory";
import { partStart } from "./parts";
import { affinePoolRelu } from "./pool";
import { STATUS_OK, STATUS_OUT_OF_MEMORY, STATUS_SERIAL } from "./status";
import { Winograd } from "./winograd";

/** The convolution output of one step's images should stay in cache: about this many bytes (at least one image). */
const STEP_BYTES: i32 = 2048 << 10;

/** The pool over the convolution's output (globals: per instance). */
class Pool {
  static outH: i32 = 0;
  static outW: i32 = 0;
  static kh: i32 = 0;
  static kw: i32 = 0;
  static sh: i32 = 0;
  static sw: i32 = 0;
}

/** Convolution and pool of `count` images from n through `scratch`; false when the convolution met a NaN or ±Inf that conv2d of the whole batch would take to its exact path. */
function block(x: usize, w: usize, channel: usize, y: usize, n: i32, count: i32, scratch: usize): i32 {
  const batch = s.batch;
  Winograd.nonFinite = false;
  PackCheck.nonFinite = false;
  s.batch = count;
  const status = convolve(at(x, n * s.inC * s.inH * s.inW), w, scratch, 0, 1);
  s.batch = batch;
  if (status != STATUS_OK) return status;
  if (Winograd.nonFinite || PackCheck.nonFinite) return STATUS_SERIAL;
  const pooled = at(y, n * s.outC * Pool.outH * Pool.outW);
  affinePoolRelu(scratch, channel, pooled, count * s.outC, s.outC, s.outH, s.outW, Pool.outH, Pool.outW, Pool.kh, Pool.kw, Pool.sh, Pool.sw, 0, 1);
  return STATUS_OK;
}

/**
 * y [batch, outC, poolH, poolW] = affinePoolRelu(conv2d(x, w), channel) with the convolution's shape in
 * PARAMS and the pool's window (kh × kw), strides and output size as arguments; part `part` of `parts`
 * (a contiguous range of images each). STATUS_SERIAL: the batch needs the exact path (rerun in one part).
 */
export function convAffinePoolRelu(
  x: usize, w: usize, channel: usize, y: usize, poolH: i32, poolW: i32, kh: i32, kw: i32, sh: i32, sw: i32, part: i32, parts: i32,
): i32 {
  s.load();
  Pool.outH = poolH;
  Pool.outW = poolW;
  Pool.kh = kh;
  Pool.kw = kw;
  Pool.sh = sh;
  Pool.sw = sw;
  const image = s.outC * s.outH * s.outW;
  const step = max(1, STEP_BYTES / max(1, image * 4));
  const n0 = partStart(s.batch, part, parts), n1 = partStart(s.batch, part + 1, parts);
  const scratch = alloc(<usize>(min(step, max(1, n1 - n0)) * image) << 2);
  if (!scratch) return STATUS_OUT_OF_MEMORY;
  let status = STATUS_OK;
  for (let n = n0; n < n1 && status == STATUS_OK; n += step) status = block(x, w, channel, y, n, min(step, n1 - n), scratch);
  free(scratch);
  if (status != STATUS_SERIAL || parts > 1) return status;
  // One part that met a NaN or ±Inf: the whole batch as conv2d computes it (its exact path), then the pool.
  const whole = alloc(<usize>(s.batch * image) << 2);
  if (!whole) return STATUS_OUT_OF_MEMORY;
  status = convolve(x, w, whole, 0, 1);
  if (status == STATUS_OK) affinePoolRelu(whole, channel, y, s.batch * s.outC, s.outC, s.outH, s.outW, poolH, poolW, kh, kw, sh, sw, 0, 1);
  free(whole);
  return status;
}
