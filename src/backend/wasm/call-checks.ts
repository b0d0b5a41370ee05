/**
 * Validation of kernel calls on the wasm backend, before anything reaches linear memory: sizes against the
 * kernel's parameters, strided walks against buffer bounds. Each check throws a KshotError that names the
 * op and says what was expected and what came; a wrong call must never read another tensor's memory.
 */
import type { Broadcast, Conv2dParams, GatherParams, MatmulParams, Pool2dParams } from "../backend.ts";
import { KshotError } from "../../errors.ts";

export type Describe = () => string;

export const shapeText = (dims: readonly number[]): string => `[${dims.join(",")}]`;

export function convText(p: Conv2dParams): string {
  return `x [${p.batch},${p.inC},${p.inH},${p.inW}] → y [${p.batch},${p.outC},${p.outH},${p.outW}], kernel ${p.kh}x${p.kw}, ` +
    `stride ${p.strideH}x${p.strideW}, padding ${p.padH}x${p.padW}, groups ${p.groups}`;
}

/** Sizes must be integers in [0, 2^31). */
export function checkDims(op: string, what: Describe, ...values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new KshotError(`wasm ${op}: expected non-negative integer sizes, got ${what()}`);
  }
}

/** Every element a strided walk of `shape` from `offset` touches lies in [0, size). */
export function checkInBounds(
  op: string, what: Describe, shape: readonly number[], strides: readonly number[], offset: number, size: number,
): void {
  let lo = offset, hi = offset;
  shape.forEach((n, d) => {
    const span = (n - 1) * strides[d];
    if (span < 0) lo += span;
    else hi += span;
  });
  if (!Number.isInteger(offset) || lo < 0 || hi >= size) throw new KshotError(`wasm ${op}: elements outside the buffer: ${what()}`);
}

/** A broadcast: out holds the output shape, each input's strides stay inside it. Returns the output size. */
export function checkBroadcast(op: string, bc: Broadcast, inputSizes: number[], outSize: number): number {
  const what = (): string =>
    `out ${shapeText(bc.outShape)} (${outSize} elements), strides ${bc.strides.map(shapeText).join(" ")}, ` +
    `inputs ${inputSizes.join("/")} elements`;
  const rank = bc.outShape.length;
  checkDims(op, what, ...bc.outShape);
  const size = bc.outShape.reduce((a, b) => a * b, 1);
  if (size !== outSize) throw new KshotError(`wasm ${op}: expected out of ${size} elements, got ${what()}`);
  if (bc.strides.length !== inputSizes.length || bc.strides.some((s) => s.length !== rank)) {
    throw new KshotError(`wasm ${op}: expected ${inputSizes.length} stride arrays of rank ${rank}, got ${what()}`);
  }
  if (size > 0) inputSizes.forEach((n, i) => checkInBounds(op, what, bc.outShape, bc.strides[i], 0, n));
  return size;
}

export function checkMatmul(p: MatmulParams, aSize: number, bSize: number, outSize: number): Describe {
  const what = (): string =>
    `batch ${p.batch}, m ${p.m}, n ${p.n}, k ${p.k}, transA ${p.transA}, transB ${p.transB}, batch strides ` +
    `${p.aBatchStride}/${p.bBatchStride}; a ${aSize}, b ${bSize}, out ${outSize} elements`;
  checkDims("matmul", what, p.batch, p.m, p.n, p.k, p.aBatchStride, p.bBatchStride);
  const needA = p.batch === 0 ? 0 : (p.batch - 1) * p.aBatchStride + p.m * p.k;
  const needB = p.batch === 0 ? 0 : (p.batch - 1) * p.bBatchStride + p.k * p.n;
  if (aSize < needA || bSize < needB || outSize !== p.batch * p.m * p.n) {
    throw new KshotError(`wasm matmul: expected a ≥ ${needA}, b ≥ ${needB}, out = ${p.batch * p.m * p.n} elements, got ${what()}`);
  }
  return what;
}

/**
 * A convolution's parameters, and its three buffers' sizes in the order input [N,inC,H,W], weight OIHW,
 * output [N,outC,oH,oW] (`names` says what the op calls them).
 */
export function checkConv(op: string, p: Conv2dParams, sizes: [number, number, number], names: [string, string, string]): Describe {
  const what = (): string => `${convText(p)}; ${names.map((n, k) => `${n} ${sizes[k]}`).join(", ")} elements`;
  checkDims(op, what, p.batch, p.inC, p.inH, p.inW, p.outC, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW, p.padH, p.padW, p.groups);
  const g = p.groups;
  if (g < 1 || p.inC % g !== 0 || p.outC % g !== 0) throw new KshotError(`wasm ${op}: expected groups dividing inC and outC, got ${what()}`);
  if (p.strideH < 1 || p.strideW < 1 || p.kh < 1 || p.kw < 1) throw new KshotError(`wasm ${op}: expected kernel and stride ≥ 1, got ${what()}`);
  const outH = Math.max(Math.floor((p.inH + 2 * p.padH - p.kh) / p.strideH) + 1, 0);
  const outW = Math.max(Math.floor((p.inW + 2 * p.padW - p.kw) / p.strideW) + 1, 0);
  if (p.outH !== outH || p.outW !== outW) {
    throw new KshotError(`wasm ${op}: expected output ${outH}x${outW} for these input, kernel, stride and padding, got ${what()}`);
  }
  const want = [p.batch * p.inC * p.inH * p.inW, p.outC * (p.inC / g) * p.kh * p.kw, p.batch * p.outC * p.outH * p.outW];
  if (sizes.some((n, k) => n !== want[k])) {
    throw new KshotError(`wasm ${op}: expected ${names.map((n, k) => `${n} ${want[k]}`).join(", ")} elements, got ${what()}`);
  }
  return what;
}

export function checkPool(p: Pool2dParams, xSize: number, ySize: number, indicesSize: number): Describe {
  const what = (): string =>
    `x [${p.batch},${p.channels},${p.inH},${p.inW}] → [${p.outH},${p.outW}], window ${p.kh}x${p.kw}, ` +
    `stride ${p.strideH}x${p.strideW}; buffers x ${xSize}, y ${ySize}, indices ${indicesSize}`;
  checkDims("maxPool2d", what, p.batch, p.channels, p.inH, p.inW, p.outH, p.outW);
  if (p.kh < 1 || p.kw < 1 || p.strideH < 1 || p.strideW < 1) throw new KshotError(`wasm maxPool2d: expected window and stride ≥ 1, got ${what()}`);
  const fits = (p.outH - 1) * p.strideH + p.kh <= p.inH && (p.outW - 1) * p.strideW + p.kw <= p.inW;
  if (p.outH > 0 && p.outW > 0 && !fits) throw new KshotError(`wasm maxPool2d: windows fall outside the input: ${what()}`);
  const planes = p.batch * p.channels;
  if (xSize !== planes * p.inH * p.inW || ySize !== planes * p.outH * p.outW || indicesSize !== ySize) {
    throw new KshotError(`wasm maxPool2d: buffer sizes do not match the shapes: ${what()}`);
  }
  return what;
}

/** Gather and scatter-add: data [outer, axis, inner], the other side [outer, count, inner], indices. */
export function checkGather(op: string, p: GatherParams, dataSize: number, indicesSize: number, otherSize: number): Describe {
  const what = (): string =>
    `outer ${p.outer}, axis ${p.axis}, inner ${p.inner}, count ${p.count}, batched ${p.batchedIndices}; ` +
    `data ${dataSize}, indices ${indicesSize}, ${op === "gather" ? "out" : "src"} ${otherSize} elements`;
  checkDims(op, what, p.outer, p.axis, p.inner, p.count);
  const okSizes = dataSize === p.outer * p.axis * p.inner && otherSize === p.outer * p.count * p.inner &&
    indicesSize === (p.batchedIndices ? p.outer * p.count : p.count);
  if (!okSizes) throw new KshotError(`wasm ${op}: buffer sizes do not match: ${what()}`);
  return what;
}
