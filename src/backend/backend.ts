/**
 * The backend interface: memory plus a small set of kernels. Backends know nothing of autodiff,
 * broadcasting rules or shapes beyond what each kernel is told; the tensor layer above computes output
 * shapes, allocates the output buffer and passes everything a kernel needs explicitly.
 *
 * Conventions shared by every kernel:
 * - Buffers are contiguous, row-major, of one dtype; a kernel never allocates its output.
 * - Kernels enqueue work and return at once (WebGPU) or run synchronously (wasm, reference); the order of
 *   calls is the order of execution, so a later `read` sees every earlier kernel's result.
 * - NaN and Inf propagate as IEEE 754 says; no kernel throws on them.
 */
import type { DType, TypedArrayFor } from "../dtype.ts";

/** An opaque handle on backend memory. Only the backend that allocated it may interpret it. */
export interface BackendBuffer {
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
}

// The ops each kernel takes are declared once, with their semantics, in the op table (src/optable/).
export { BINARY_OPS, type BinaryOp, REDUCE_OPS, type ReduceOp, UNARY_OPS, type UnaryOp } from "../optable/names.ts";
import type { BinaryOp, ReduceOp, UnaryOp } from "../optable/names.ts";

/**
 * Broadcasting for n-ary elementwise kernels: the output shape and, for each input, its strides in
 * elements over the output's axes (0 on a broadcast axis). Inputs have the output's rank.
 */
export interface Broadcast {
  readonly outShape: readonly number[];
  readonly strides: readonly (readonly number[])[];
}

/** Batched matrix product: out[b] = op(a[b]) · op(b[b]), op = transpose when the flag is set. */
export interface MatmulParams {
  readonly batch: number;
  /** Rows of op(a) and of out. */
  readonly m: number;
  /** Columns of op(b) and of out. */
  readonly n: number;
  /** The contracted dimension. */
  readonly k: number;
  /** a is stored [batch][k][m] instead of [batch][m][k]. */
  readonly transA: boolean;
  /** b is stored [batch][n][k] instead of [batch][k][n]. */
  readonly transB: boolean;
  /** Elements between consecutive batch entries of a (0 broadcasts one matrix to every batch). */
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/**
 * 2-D convolution, NCHW input, OIHW weight ([outC, inC / groups, kh, kw]), NCHW output. Cross-correlation
 * as in PyTorch. Group g maps input channels [g·inC/G, (g+1)·inC/G) to output channels [g·outC/G, ...).
 */
export interface Conv2dParams {
  readonly batch: number;
  readonly inC: number;
  readonly inH: number;
  readonly inW: number;
  readonly outC: number;
  readonly outH: number;
  readonly outW: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
  readonly groups: number;
}

/**
 * Training-mode BatchNorm over x viewed as [batch, channels, spatial] (NCHW with spatial = H·W, or [N, C]
 * with spatial = 1): each channel's statistics over its M = batch·spatial values.
 */
export interface BatchNormParams {
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  /** Added to the variance under the square root, as a float32 holds it. */
  readonly eps: number;
}

/** Max pooling over NCHW planes (no padding); windows that do not fit are dropped (floor). */
export interface Pool2dParams {
  readonly batch: number;
  readonly channels: number;
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
}

/**
 * Gather / scatter-add along one axis. The data tensor is viewed as [outer, axis, inner], the other
 * side as [outer, count, inner], and indices as [count] (shared by every outer row) or, when
 * `batchedIndices`, as [outer, count]. Indices outside [0, axis) read 0 (gather) or are dropped (scatter).
 */
export interface GatherParams {
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly count: number;
  readonly batchedIndices: boolean;
}

/** A strided copy of `shape` elements: dst[dstOffset + Σ i·dstStrides] = src[srcOffset + Σ i·srcStrides]. */
export interface CopyParams {
  readonly shape: readonly number[];
  readonly srcStrides: readonly number[];
  readonly srcOffset: number;
  readonly dstStrides: readonly number[];
  readonly dstOffset: number;
}

/**
 * One step of an elementwise program. Operands are value numbers: 0..inputs−1 name the program's inputs,
 * inputs + k the result of step k. Comparisons give 1 or 0; `where` tests cond ≠ 0 (NaN counts as non-zero).
 */
export type ProgramStep =
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly x: number }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly a: number; readonly b: number }
  | { readonly kind: "where"; readonly cond: number; readonly a: number; readonly b: number };

/** The value numbers a step reads. */
export function stepOperands(step: ProgramStep): number[] {
  switch (step.kind) {
    case "const": return [];
    case "unary": return [step.x];
    case "binary": return [step.a, step.b];
    case "where": return [step.cond, step.a, step.b];
  }
}

/**
 * A chain of elementwise ops run as one kernel (fusion): float inputs broadcast to the output, the last
 * step's value written out. Every step's value is rounded to the output dtype, exactly as the unfused ops
 * would store it, so a program computes what the same ops one by one compute.
 */
export interface ElementwiseProgram {
  readonly inputs: number;
  readonly steps: readonly ProgramStep[];
}

/** The most inputs a program may read (a storage binding each, plus the output, within WebGPU's default 8). */
export const MAX_PROGRAM_INPUTS = 6;

/** Counters every backend keeps, for tests and benchmarks (dispatches on WebGPU, kernel calls elsewhere). */
export interface BackendCounters {
  dispatches: number;
  allocations: number;
  bytesAllocated: number;
  bytesUploaded: number;
  bytesReadBack: number;
}

export interface Backend {
  /** "reference" | "wasm" | "webgpu". */
  readonly name: string;
  /** The dtypes this backend can store and compute in. */
  readonly dtypes: readonly DType[];
  /** Whether `readSync` is available (false on WebGPU). */
  readonly canReadSync: boolean;
  /** Running counters; `resetCounters` zeroes them. */
  readonly counters: BackendCounters;
  resetCounters(): void;
  /** Bytes currently held by live buffers. */
  bytesInUse(): number;

  /** A new buffer of `size` elements; contents unspecified. */
  allocate(dtype: DType, size: number): BackendBuffer;
  /** Returns the buffer's memory; the handle must not be used again. */
  free(buffer: BackendBuffer): void;
  /** Copies host data into the buffer (same dtype, same length). */
  write(buffer: BackendBuffer, data: TypedArrayFor): void;
  /** Reads the whole buffer back to the host, after all work enqueued before it. */
  read(buffer: BackendBuffer): Promise<TypedArrayFor>;
  /** Synchronous read; only where `canReadSync`. */
  readSync(buffer: BackendBuffer): TypedArrayFor;
  /** Waits for all enqueued work to finish. */
  sync(): Promise<void>;
  /** Starts enqueued work without waiting for it (WebGPU: submits the recorded commands); optional. */
  flush?(): void;
  /** Releases everything the backend holds. */
  dispose(): void;

  /** out[i] = value. */
  fill(out: BackendBuffer, value: number): void;
  /** out[i] = op(x[i]); x and out have the same float dtype (ops with an `int32` form also take int32). */
  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void;
  /** out = op(a, b) with broadcasting. a and b share a dtype; out has it too, or a float dtype for comparisons. */
  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void;
  /** out = cond != 0 ? a : b with broadcasting (strides in the order cond, a, b). */
  where(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void;
  /** out = program(inputs) with broadcasting (strides per input); inputs and out share one float dtype. */
  elementwise(program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast): void;
  /** x viewed as [outer, reduce, inner]; out is [outer, inner]. argmax writes int32 (first maximum). */
  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, outer: number, reduce: number, inner: number): void;
  /** Batched matrix product (see MatmulParams). */
  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, p: MatmulParams): void;
  /** y = conv2d(x, w); no bias. */
  conv2d(x: BackendBuffer, w: BackendBuffer, y: BackendBuffer, p: Conv2dParams): void;
  /** dx = the adjoint of conv2d in x, applied to dy (a transposed convolution). */
  conv2dBackwardData(dy: BackendBuffer, w: BackendBuffer, dx: BackendBuffer, p: Conv2dParams): void;
  /** dw = the adjoint of conv2d in w, applied to dy. */
  conv2dBackwardFilter(x: BackendBuffer, dy: BackendBuffer, dw: BackendBuffer, p: Conv2dParams): void;
  /** Max pooling; `indices` (int32) receives the flat index (row·inW + col) of the first maximum in row-major scan order. */
  maxPool2d(x: BackendBuffer, y: BackendBuffer, indices: BackendBuffer, p: Pool2dParams): void;
  /**
   * y = relu(maxPool(((x + a) − m)·s + b)) with per-channel a, m, s, b (the rows of `channel`, float32
   * [4, p.channels]), each step rounded as the elementwise ops round it and the pool's scan as maxPool2d's:
   * exactly relu(maxPool2d(...)) of the fused chain, without indices. A BatchNorm, pool and ReLU at inference.
   */
  affinePoolRelu(x: BackendBuffer, channel: BackendBuffer, y: BackendBuffer, p: Pool2dParams): void;
  /**
   * Training-mode BatchNorm (see BatchNormParams), gamma and beta [channels]. Per channel, with K its first
   * value, Σ(x − K) and Σ(x − K)² in float64 give the mean μ = K + Σ(x − K)/M and the biased variance
   * (Σ(x − K)² − (Σ(x − K))²/M)/M (0 if rounding makes it negative); `stats` [2, channels] receives μ and
   * s = 1/√(variance + eps), rounded to the dtype; then y = ((x − μ)·k) + β with k = s·γ, each step rounded.
   */
  batchNorm(x: BackendBuffer, gamma: BackendBuffer, beta: BackendBuffer, y: BackendBuffer, stats: BackendBuffer, p: BatchNormParams): void;
  /**
   * The adjoint of batchNorm in x, γ and β for the cotangent dy, from its `stats` (μ, s): with A = Σdy and
   * B = Σdy·(x − μ) per channel in float64, `sums` [2, channels] receives A (dβ) and s·B (dγ = Σdy·x̂); then
   * dx = ((dy·k1) + ((x − μ)·k2)) + k3 with k1 = γs, k2 = −γs³B/M, k3 = −γsA/M (float64, rounded), each
   * step rounded: dx = γs·(dy − Σdy/M − x̂·Σdy·x̂/M), x̂ = (x − μ)·s.
   */
  batchNormBackward(
    dy: BackendBuffer, x: BackendBuffer, gamma: BackendBuffer, stats: BackendBuffer, dx: BackendBuffer, sums: BackendBuffer, p: BatchNormParams,
  ): void;
  /** out[o, j, i] = data[o, idx[j], i] (see GatherParams). */
  gather(data: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void;
  /** out[o, idx[j], i] += src[o, j, i], out zeroed first (see GatherParams). */
  scatterAdd(src: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void;
  /** Strided copy (transpose, slice, concat, pad, broadcast). Elements of dst not written keep their value. */
  copy(src: BackendBuffer, dst: BackendBuffer, p: CopyParams): void;
  /** out[i] = x[i] converted to out's dtype (float to int truncates toward zero). */
  cast(x: BackendBuffer, out: BackendBuffer): void;
}
