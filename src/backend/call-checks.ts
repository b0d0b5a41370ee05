/**
 * Validation of kernel calls against each kernel's contract (backend.ts), shared by every backend and run
 * before a kernel touches memory: op names, dtypes, sizes against the kernel's parameters, strided walks
 * against buffer bounds. Each check throws a KshotError that names the op and says what was expected and
 * what came; a wrong call must never read another tensor's memory.
 */
import type {
  BackendBuffer, BatchNormParams, Broadcast, Conv2dParams, CopyParams, ElementwiseProgram, GatherParams, MatmulParams, Pool2dParams,
} from "./backend.ts";
import { MAX_PROGRAM_INPUTS, stepOperands } from "./backend.ts";
import { isFloat } from "../dtype.ts";
import { KshotError } from "../errors.ts";
import { BINARY, type BinaryOp, REDUCE, type ReduceOp, reduceOutputDType, UNARY, type UnaryOp } from "../optable/index.ts";

export type Describe = () => string;

export const shapeText = (dims: readonly number[]): string => `[${dims.join(",")}]`;

export function convText(p: Conv2dParams): string {
  return `x [${p.batch},${p.inC},${p.inH},${p.inW}] → y [${p.batch},${p.outC},${p.outH},${p.outW}], kernel ${p.kh}x${p.kw}, ` +
    `stride ${p.strideH}x${p.strideW}, padding ${p.padH}x${p.padW}, groups ${p.groups}`;
}

/** Sizes must be integers in [0, 2^31). */
export function checkDims(op: string, what: Describe, ...values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new KshotError(`${op}: expected non-negative integer sizes, got ${what()}`);
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
  if (!Number.isInteger(offset) || lo < 0 || hi >= size) throw new KshotError(`${op}: elements outside the buffer: ${what()}`);
}

/** A broadcast: out holds the output shape, each input's strides stay inside it. Returns the output size. */
export function checkBroadcast(op: string, bc: Broadcast, inputSizes: number[], outSize: number): number {
  const what = (): string =>
    `out ${shapeText(bc.outShape)} (${outSize} elements), strides ${bc.strides.map(shapeText).join(" ")}, ` +
    `inputs ${inputSizes.join("/")} elements`;
  const rank = bc.outShape.length;
  checkDims(op, what, ...bc.outShape);
  const size = bc.outShape.reduce((a, b) => a * b, 1);
  if (size !== outSize) throw new KshotError(`${op}: expected out of ${size} elements, got ${what()}`);
  if (bc.strides.length !== inputSizes.length || bc.strides.some((s) => s.length !== rank)) {
    throw new KshotError(`${op}: expected ${inputSizes.length} stride arrays of rank ${rank}, got ${what()}`);
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
    throw new KshotError(`matmul: expected a ≥ ${needA}, b ≥ ${needB}, out = ${p.batch * p.m * p.n} elements, got ${what()}`);
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
  if (g < 1 || p.inC % g !== 0 || p.outC % g !== 0) throw new KshotError(`${op}: expected groups dividing inC and outC, got ${what()}`);
  if (p.strideH < 1 || p.strideW < 1 || p.kh < 1 || p.kw < 1) throw new KshotError(`${op}: expected kernel and stride ≥ 1, got ${what()}`);
  const outH = Math.max(Math.floor((p.inH + 2 * p.padH - p.kh) / p.strideH) + 1, 0);
  const outW = Math.max(Math.floor((p.inW + 2 * p.padW - p.kw) / p.strideW) + 1, 0);
  if (p.outH !== outH || p.outW !== outW) {
    throw new KshotError(`${op}: expected output ${outH}x${outW} for these input, kernel, stride and padding, got ${what()}`);
  }
  const want = [p.batch * p.inC * p.inH * p.inW, p.outC * (p.inC / g) * p.kh * p.kw, p.batch * p.outC * p.outH * p.outW];
  if (sizes.some((n, k) => n !== want[k])) {
    throw new KshotError(`${op}: expected ${names.map((n, k) => `${n} ${want[k]}`).join(", ")} elements, got ${what()}`);
  }
  return what;
}

export function checkPool(p: Pool2dParams, xSize: number, ySize: number, indicesSize: number, op = "maxPool2d"): Describe {
  const what = (): string =>
    `x [${p.batch},${p.channels},${p.inH},${p.inW}] → [${p.outH},${p.outW}], window ${p.kh}x${p.kw}, ` +
    `stride ${p.strideH}x${p.strideW}; buffers x ${xSize}, y ${ySize}, indices ${indicesSize}`;
  checkDims(op, what, p.batch, p.channels, p.inH, p.inW, p.outH, p.outW);
  if (p.kh < 1 || p.kw < 1 || p.strideH < 1 || p.strideW < 1) throw new KshotError(`${op}: expected window and stride ≥ 1, got ${what()}`);
  const fits = (p.outH - 1) * p.strideH + p.kh <= p.inH && (p.outW - 1) * p.strideW + p.kw <= p.inW;
  if (p.outH > 0 && p.outW > 0 && !fits) throw new KshotError(`${op}: windows fall outside the input: ${what()}`);
  const planes = p.batch * p.channels;
  if (xSize !== planes * p.inH * p.inW || ySize !== planes * p.outH * p.outW || indicesSize !== ySize) {
    throw new KshotError(`${op}: buffer sizes do not match the shapes: ${what()}`);
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
  if (!okSizes) throw new KshotError(`${op}: buffer sizes do not match: ${what()}`);
  return what;
}

// ---- per-kernel contracts, on the call's buffers ----

function sameDtype(op: string, a: BackendBuffer, b: BackendBuffer): void {
  if (a.dtype !== b.dtype) throw new KshotError(`${op}: expected matching dtypes, got ${a.dtype} and ${b.dtype}`);
}

function sameSize(op: string, a: BackendBuffer, b: BackendBuffer): void {
  if (a.size !== b.size) throw new KshotError(`${op}: expected buffers of the same size, got ${a.size} and ${b.size}`);
}

/** Float buffers of one dtype (the kernels that only compute in floats). */
function floats(op: string, what: Describe, ...buffers: BackendBuffer[]): void {
  for (const b of buffers) {
    if (!isFloat(b.dtype) || b.dtype !== buffers[0].dtype) {
      throw new KshotError(`${op}: expected float buffers of one dtype, got ${buffers.map((x) => x.dtype).join(", ")} (${what()})`);
    }
  }
}

function int32Indices(op: string, indices: BackendBuffer): void {
  if (indices.dtype !== "int32") throw new KshotError(`${op}: expected int32 indices, got ${indices.dtype}`);
}

function knownOp<T extends string>(kind: string, table: Readonly<Record<T, unknown>>, op: T): void {
  if (!Object.hasOwn(table, op)) throw new KshotError(`${kind}: expected one of ${Object.keys(table).join(", ")}, got ${op}`);
}

export function checkUnary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
  knownOp("unary", UNARY, op);
  sameDtype(op, x, out);
  sameSize(op, x, out);
  if (!isFloat(x.dtype) && !UNARY[op].int32) throw new KshotError(`${op}: expected a float buffer, got ${x.dtype}`);
}

export function checkBinary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
  knownOp("binary", BINARY, op);
  sameDtype(op, a, b);
  if (BINARY[op].kind === "arithmetic") sameDtype(op, a, out);
  checkBroadcast(op, bc, [a.size, b.size], out.size);
}

export function checkWhere(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
  sameDtype("where", a, b);
  sameDtype("where", a, out);
  checkBroadcast("where", bc, [cond.size, a.size, b.size], out.size);
}

/** A program's inputs and steps: known ops, operands that name earlier values, float buffers of one dtype. */
export function checkElementwise(program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast): void {
  const what = (): string => `${program.inputs} inputs, ${program.steps.length} steps, ${inputs.length} buffers`;
  if (inputs.length !== program.inputs || inputs.length < 1 || inputs.length > MAX_PROGRAM_INPUTS) {
    throw new KshotError(`elementwise: expected 1 to ${MAX_PROGRAM_INPUTS} input buffers, one per program input, got ${what()}`);
  }
  if (program.steps.length === 0) throw new KshotError(`elementwise: expected at least one step, got ${what()}`);
  floats("elementwise", what, ...inputs, out);
  program.steps.forEach((step, k) => {
    const values = program.inputs + k;
    const operands = stepOperands(step);
    if (step.kind === "unary") knownOp("unary", UNARY, step.op);
    if (step.kind === "binary") knownOp("binary", BINARY, step.op);
    if (operands.some((v) => !Number.isInteger(v) || v < 0 || v >= values)) {
      throw new KshotError(`elementwise: expected step ${k} to read values 0 to ${values - 1}, got ${operands.join(", ")}`);
    }
  });
  checkBroadcast("elementwise", bc, inputs.map((b) => b.size), out.size);
}

export function checkReduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, outer: number, reduce: number, inner: number): void {
  knownOp("reduce", REDUCE, op);
  const what = (): string => `x ${x.size} ${x.dtype} as [${outer},${reduce},${inner}], out ${out.size} ${out.dtype}`;
  checkDims(op, what, outer, reduce, inner);
  if (x.size !== outer * reduce * inner || out.size !== outer * inner) {
    throw new KshotError(`${op}: expected x of ${outer * reduce * inner} and out of ${outer * inner} elements, got ${what()}`);
  }
  const outDtype = reduceOutputDType(op, x.dtype);
  if (out.dtype !== outDtype) throw new KshotError(`${op}: expected out dtype ${outDtype}, got ${what()}`);
}

export function checkMatmulCall(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, p: MatmulParams): Describe {
  const what = checkMatmul(p, a.size, b.size, out.size);
  floats("matmul", what, a, b, out);
  return what;
}

/** A convolution's buffers in the order input [N,inC,H,W], weight OIHW, output [N,outC,oH,oW]. */
export function checkConvCall(
  op: string, p: Conv2dParams, buffers: [BackendBuffer, BackendBuffer, BackendBuffer], names: [string, string, string],
): Describe {
  const what = checkConv(op, p, [buffers[0].size, buffers[1].size, buffers[2].size], names);
  floats(op, what, ...buffers);
  return what;
}

export function checkPoolCall(x: BackendBuffer, y: BackendBuffer, indices: BackendBuffer, p: Pool2dParams): Describe {
  const what = checkPool(p, x.size, y.size, indices.size);
  floats("maxPool2d", what, x, y);
  int32Indices("maxPool2d", indices);
  return what;
}

/** affinePoolRelu: x and y as maxPool2d's, channel vectors float32 [4, channels]. */
export function checkAffinePoolCall(x: BackendBuffer, channel: BackendBuffer, y: BackendBuffer, p: Pool2dParams): Describe {
  const what = checkPool(p, x.size, y.size, y.size, "affinePoolRelu");
  floats("affinePoolRelu", what, x, channel, y);
  if (channel.size !== 4 * p.channels) throw new KshotError(`affinePoolRelu: expected 4 × ${p.channels} channel values, got ${channel.size}`);
  return what;
}

/** batchNorm and its backward: `big` [batch, channels, spatial] buffers, `perChannel` [channels] and `pairs` [2, channels] ones, one float dtype. */
export function checkBatchNormCall(
  op: "batchNorm" | "batchNormBackward", p: BatchNormParams, big: readonly BackendBuffer[], perChannel: readonly BackendBuffer[], pairs: readonly BackendBuffer[],
): Describe {
  const what = (): string =>
    `x [${p.batch},${p.channels},${p.spatial}], eps ${p.eps}; buffers ${[...big, ...perChannel, ...pairs].map((b) => b.size).join("/")}`;
  checkDims(op, what, p.batch, p.channels, p.spatial);
  if (!Number.isFinite(p.eps) || p.eps < 0) throw new KshotError(`${op}: expected a finite eps ≥ 0, got ${what()}`);
  floats(op, what, ...big, ...perChannel, ...pairs);
  const size = p.batch * p.channels * p.spatial;
  if (big.some((b) => b.size !== size) || perChannel.some((b) => b.size !== p.channels) || pairs.some((b) => b.size !== 2 * p.channels)) {
    throw new KshotError(`${op}: buffer sizes do not match the shapes: ${what()}`);
  }
  return what;
}

/** Gather (data → out) and scatter-add (src → data). */
export function checkGatherCall(op: "gather" | "scatterAdd", data: BackendBuffer, indices: BackendBuffer, other: BackendBuffer, p: GatherParams): Describe {
  const what = checkGather(op, p, data.size, indices.size, other.size);
  sameDtype(op, data, other);
  int32Indices(op, indices);
  return what;
}

/** A strided copy: strides of the shape's rank, every element touched inside its buffer. */
export function checkCopy(src: BackendBuffer, dst: BackendBuffer, p: CopyParams): Describe {
  sameDtype("copy", src, dst);
  const what = (): string =>
    `shape ${shapeText(p.shape)}, src strides ${shapeText(p.srcStrides)} + ${p.srcOffset} in ${src.size}, ` +
    `dst strides ${shapeText(p.dstStrides)} + ${p.dstOffset} in ${dst.size}`;
  const rank = p.shape.length;
  if (p.srcStrides.length !== rank || p.dstStrides.length !== rank) throw new KshotError(`copy: expected strides of rank ${rank}, got ${what()}`);
  checkDims("copy", what, ...p.shape);
  if (p.shape.some((n) => n === 0)) return what;
  checkInBounds("copy", what, p.shape, p.srcStrides, p.srcOffset, src.size);
  checkInBounds("copy", what, p.shape, p.dstStrides, p.dstOffset, dst.size);
  return what;
}

export function checkCast(x: BackendBuffer, out: BackendBuffer): void {
  sameSize("cast", x, out);
}
