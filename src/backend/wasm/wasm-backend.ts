/**
 * The WebAssembly backend: tensors live in the kernel instance's linear memory (allocated by its TLSF heap,
 * assembly/memory.ts), kernels run synchronously. With a thread pool, the large calls of every kernel but
 * copy, fill, cast and the fused programs run in parts on every thread (thread-pool.ts), with results
 * identical to one thread's. Every call is checked (../call-checks.ts, and buffer ownership here) so that a
 * bad call is a KshotError naming the op and shapes, never a silent read of another tensor's memory or a
 * bare wasm trap.
 */
import {
  type Backend, type BackendBuffer, type BackendCounters, type BatchNormParams, type BinaryOp, type Broadcast,
  type Conv2dParams, type CopyParams, type ElementwiseProgram, type GatherParams, type MatmulParams, type Pool2dParams, type ReduceOp,
  type UnaryOp,
} from "../backend.ts";
import type { DType, TypedArrayFor } from "../../dtype.ts";
import { KshotError } from "../../errors.ts";
import { BINARY_CODES, REDUCE_CODES, UNARY_CODES } from "../../generated/op-codes.ts";
import {
  checkAffinePoolCall, checkBatchNormCall, checkBinary, checkCast, checkConvCall, checkCopy, checkElementwise, checkGatherCall, checkMatmulCall, checkPoolCall,
  checkReduce, checkUnary, checkWhere, convText, type Describe, shapeText,
} from "../call-checks.ts";
import { collapseInto } from "./collapse-axes.ts";
import { runProgramByParts } from "./fused.ts";
import { encodeProgram } from "./program-encoding.ts";
import type { ParallelKernel } from "./control-block.ts";
import type { ThreadPool } from "./thread-pool.ts";
import type { KernelExports, WasmBuild } from "./wasm-module.ts";

const PARAM_WORDS = 256;
const MAX_RANK = 32;
/** Kernel status codes (assembly/status.ts). */
const STATUS_OUT_OF_MEMORY = 1;
/**
 * Calls with fewer multiply-adds (GEMMs, convolutions) or elements (elementwise kernels, reductions) than
 * these run on one thread: waking the workers (tens of µs) would cost more than the split saves.
 */
const PARALLEL_MIN_MACS = 1 << 20;
const PARALLEL_MIN_ELEMENTS = 1 << 16;

/** The bit pattern of `value` stored as a float32, as an int32. */
function float32Bits(value: number): number {
  return new Int32Array(new Float32Array([value]).buffer)[0];
}

class WasmBuffer implements BackendBuffer {
  freed = false;
  constructor(
    readonly owner: WasmBackend,
    readonly dtype: DType,
    readonly size: number,
    /** Byte offset in linear memory (16-byte aligned). */
    readonly ptr: number,
  ) {}
  get bytes(): number { return this.size * 4; }
}

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly dtypes: readonly DType[] = ["float32", "int32"];
  readonly canReadSync = true;
  readonly counters: BackendCounters = { dispatches: 0, allocations: 0, bytesAllocated: 0, bytesUploaded: 0, bytesReadBack: 0 };
  private live = 0;
  private kernels: KernelExports | null;
  // ArrayBufferLike: a shared WebAssembly.Memory gives a SharedArrayBuffer (newer lib typings say so).
  private viewsOf: ArrayBufferLike | null = null;
  private f32: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private i32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private readonly params: number;
  /** Word index of the fused kernel's PROGRAM block. */
  private readonly program: number;

  /**
   * `build` says which module runs: "simd" (deterministic) or "relaxed" (fused multiply-add); `pool`, when
   * given, runs the large calls of the kernels in control-block.ts's PARALLEL_KERNELS on its threads (the
   * kernels then share its memory).
   */
  constructor(kernels: KernelExports, readonly build: WasmBuild, private pool: ThreadPool | null = null) {
    this.kernels = kernels;
    this.params = kernels.paramsPointer() >>> 2;
    this.program = kernels.programPointer() >>> 2;
  }

  /** Whether results depend only on the inputs (the plain-SIMD build). */
  get deterministic(): boolean {
    return this.build === "simd";
  }

  /** Threads the large kernels run on (1 without a pool). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Kernel calls that ran in parts on the threads (the others ran whole on the calling thread). */
  parallelDispatches = 0;

  resetCounters(): void {
    Object.assign(this.counters, { dispatches: 0, allocations: 0, bytesAllocated: 0, bytesUploaded: 0, bytesReadBack: 0 });
  }

  bytesInUse(): number {
    return this.live;
  }

  /** Bytes of linear memory the instance holds (grows, never shrinks). */
  memoryBytes(): number {
    return this.k().memory.buffer.byteLength;
  }

  allocate(dtype: DType, size: number): BackendBuffer {
    if (dtype !== "float32" && dtype !== "int32") {
      throw new KshotError(`wasm allocate: expected dtype float32 or int32, got ${dtype}`);
    }
    if (!Number.isInteger(size) || size < 0) throw new KshotError(`wasm allocate: expected a size ≥ 0, got ${size}`);
    const bytes = size * 4;
    const ptr = bytes <= 0xf0000000 ? this.k().alloc(bytes) >>> 0 : 0;
    if (ptr === 0) {
      throw new KshotError(
        `wasm allocate: out of memory for ${size} ${dtype} elements (${bytes} bytes; ${this.live} bytes in use, ` +
        `${this.memoryBytes()} bytes of linear memory, 4 GiB at most)`,
      );
    }
    this.counters.allocations++;
    this.counters.bytesAllocated += bytes;
    this.live += bytes;
    return new WasmBuffer(this, dtype, size, ptr);
  }

  free(buffer: BackendBuffer): void {
    const b = this.buf(buffer, "free");
    b.freed = true;
    this.live -= b.bytes;
    this.k().free(b.ptr);
  }

  write(buffer: BackendBuffer, data: TypedArrayFor): void {
    const b = this.buf(buffer, "write");
    if (data.length !== b.size) throw new KshotError(`wasm write: expected ${b.size} elements, got ${data.length}`);
    const want = b.dtype === "float32" ? Float32Array : Int32Array;
    if (!(data instanceof want)) {
      throw new KshotError(`wasm write: expected a ${want.name} for a ${b.dtype} buffer, got ${data.constructor.name}`);
    }
    this.views();
    if (b.dtype === "float32") this.f32.set(data, b.ptr >>> 2);
    else this.i32.set(data, b.ptr >>> 2);
    this.counters.bytesUploaded += data.byteLength;
  }

  read(buffer: BackendBuffer): Promise<TypedArrayFor> {
    return Promise.resolve(this.readSync(buffer));
  }

  readSync(buffer: BackendBuffer): TypedArrayFor {
    const b = this.buf(buffer, "read");
    this.views();
    const start = b.ptr >>> 2;
    const out = b.dtype === "float32" ? this.f32.slice(start, start + b.size) : this.i32.slice(start, start + b.size);
    this.counters.bytesReadBack += out.byteLength;
    return out;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  dispose(): void {
    this.pool?.close();
    this.pool = null;
    this.kernels = null;
    this.viewsOf = null;
    this.f32 = new Float32Array(0);
    this.i32 = new Int32Array(0);
    this.u8 = new Uint8Array(0);
    this.live = 0;
  }

  fill(out: BackendBuffer, value: number): void {
    const o = this.buf(out, "fill");
    // The bit pattern a Float32Array / Int32Array store of `value` writes (ToInt32 for int32).
    const bits = o.dtype === "float32" ? float32Bits(value) : value | 0;
    this.run("fill", () => `${o.size} ${o.dtype}`, (k) => k.fill(o.ptr, bits, o.size));
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    const a = this.buf(x, op), o = this.buf(out, op);
    checkUnary(op, a, o);
    const args = [UNARY_CODES[op], +(a.dtype === "int32"), a.ptr, o.ptr, a.size];
    this.runParts("unary", op, () => `${a.size} ${a.dtype}`, a.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
    const x = this.buf(a, op), y = this.buf(b, op), o = this.buf(out, op);
    checkBinary(op, x, y, o, bc);
    this.writeBroadcast(op, bc);
    const args = [BINARY_CODES[op], +(x.dtype === "int32"), +(o.dtype === "int32"), x.ptr, y.ptr, o.ptr];
    this.runParts("binary", op, () => `out ${shapeText(bc.outShape)}`, o.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  where(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
    const c = this.buf(cond, "where"), x = this.buf(a, "where"), y = this.buf(b, "where"), o = this.buf(out, "where");
    checkWhere(c, x, y, o, bc);
    this.writeBroadcast("where", bc);
    const args = [+(c.dtype === "int32"), c.ptr, x.ptr, y.ptr, o.ptr];
    this.runParts("where", "where", () => `out ${shapeText(bc.outShape)}`, o.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  /** One pass of the fused kernel, else step by step through the kernels above (fused.ts); bit-identical either way. */
  elementwise(program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast): void {
    if (this.fusedProgram(program, inputs, out, bc)) return;
    runProgramByParts(this, program, inputs, out, bc);
  }

  /**
   * A float32 program in one pass of the fused kernel (assembly/fused.ts), bit-identical to its steps run
   * one by one; false (nothing run) when the kernel cannot take it (int32 values, too many steps or inputs).
   */
  private fusedProgram(program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast): boolean {
    const xs = inputs.map((b) => this.buf(b, "elementwise")), o = this.buf(out, "elementwise");
    checkElementwise(program, xs, o, bc);
    const size = o.size;
    this.views();
    if (!encodeProgram(program, xs.map((x) => x.ptr), this.i32, this.program)) return false;
    const what = (): string => `out ${shapeText(bc.outShape)}, ${program.steps.length} steps`;
    if (size === 0) {
      this.run("elementwise", what, () => {});
      return true;
    }
    this.writeLayout("elementwise", () => `out ${shapeText(bc.outShape)}`, bc.outShape, bc.strides);
    this.runParts("elementwiseProgram", "elementwise", what, size >= PARALLEL_MIN_ELEMENTS, [o.ptr]);
    return true;
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, outer: number, reduce: number, inner: number): void {
    const a = this.buf(x, op), o = this.buf(out, op);
    checkReduce(op, a, o, outer, reduce, inner);
    const what = (): string => `x [${outer},${reduce},${inner}]`;
    const args = [REDUCE_CODES[op], +(a.dtype === "int32"), a.ptr, o.ptr, outer, reduce, inner];
    this.runParts("reduce", op, what, a.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, p: MatmulParams): void {
    const x = this.buf(a, "matmul"), y = this.buf(b, "matmul"), o = this.buf(out, "matmul");
    const what = checkMatmulCall(x, y, o, p);
    const args = [x.ptr, y.ptr, o.ptr, p.batch, p.m, p.n, p.k, +p.transA, +p.transB, p.aBatchStride, p.bBatchStride];
    this.runParts("matmul", "matmul", what, p.batch * p.m * p.n * p.k >= PARALLEL_MIN_MACS, args);
  }

  conv2d(x: BackendBuffer, w: BackendBuffer, y: BackendBuffer, p: Conv2dParams): void {
    const [a, b, o] = this.convBuffers("conv2d", p, x, w, y, ["x", "w", "y"]);
    this.writeConvParams(p);
    this.runParts("conv2d", "conv2d", () => convText(p), convMacs(p) >= PARALLEL_MIN_MACS, [a.ptr, b.ptr, o.ptr]);
  }

  conv2dBackwardData(dy: BackendBuffer, w: BackendBuffer, dx: BackendBuffer, p: Conv2dParams): void {
    const [a, b, o] = this.convBuffers("conv2dBackwardData", p, dx, w, dy, ["dx", "w", "dy"]);
    this.writeConvParams(p);
    this.runParts("conv2dBackwardData", "conv2dBackwardData", () => convText(p), convMacs(p) >= PARALLEL_MIN_MACS, [o.ptr, b.ptr, a.ptr]);
  }

  conv2dBackwardFilter(x: BackendBuffer, dy: BackendBuffer, dw: BackendBuffer, p: Conv2dParams): void {
    const [a, b, o] = this.convBuffers("conv2dBackwardFilter", p, x, dw, dy, ["x", "dw", "dy"]);
    this.writeConvParams(p);
    this.runParts("conv2dBackwardFilter", "conv2dBackwardFilter", () => convText(p), convMacs(p) >= PARALLEL_MIN_MACS, [a.ptr, o.ptr, b.ptr]);
  }

  maxPool2d(x: BackendBuffer, y: BackendBuffer, indices: BackendBuffer, p: Pool2dParams): void {
    const a = this.buf(x, "maxPool2d"), o = this.buf(y, "maxPool2d"), idx = this.buf(indices, "maxPool2d");
    const what = checkPoolCall(a, o, idx, p);
    const planes = p.batch * p.channels;
    const args = [a.ptr, o.ptr, idx.ptr, planes, p.inH, p.inW, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW];
    this.runParts("maxPool2d", "maxPool2d", what, planes >= 2 && a.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  affinePoolRelu(x: BackendBuffer, channel: BackendBuffer, y: BackendBuffer, p: Pool2dParams): void {
    const a = this.buf(x, "affinePoolRelu"), c = this.buf(channel, "affinePoolRelu"), o = this.buf(y, "affinePoolRelu");
    const what = checkAffinePoolCall(a, c, o, p);
    const planes = p.batch * p.channels;
    const args = [a.ptr, c.ptr, o.ptr, planes, p.channels, p.inH, p.inW, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW];
    this.runParts("affinePoolRelu", "affinePoolRelu", what, planes >= 2 && a.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  batchNorm(x: BackendBuffer, gamma: BackendBuffer, beta: BackendBuffer, y: BackendBuffer, stats: BackendBuffer, p: BatchNormParams): void {
    const [a, g, b, o, st] = [x, gamma, beta, y, stats].map((v) => this.buf(v, "batchNorm"));
    const what = checkBatchNormCall("batchNorm", p, [a, o], [g, b], [st]);
    const args = [a.ptr, g.ptr, b.ptr, o.ptr, st.ptr, p.batch, p.channels, p.spatial, float32Bits(p.eps)];
    this.runParts("batchNorm", "batchNorm", what, p.channels >= 2 && a.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  batchNormBackward(
    dy: BackendBuffer, x: BackendBuffer, gamma: BackendBuffer, stats: BackendBuffer, dx: BackendBuffer, sums: BackendBuffer, p: BatchNormParams,
  ): void {
    const [d, a, g, st, o, sm] = [dy, x, gamma, stats, dx, sums].map((v) => this.buf(v, "batchNormBackward"));
    const what = checkBatchNormCall("batchNormBackward", p, [d, a, o], [g], [st, sm]);
    const args = [d.ptr, a.ptr, g.ptr, st.ptr, o.ptr, sm.ptr, p.batch, p.channels, p.spatial];
    this.runParts("batchNormBackward", "batchNormBackward", what, p.channels >= 2 && a.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  gather(data: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void {
    const d = this.buf(data, "gather"), idx = this.buf(indices, "gather"), o = this.buf(out, "gather");
    const what = checkGatherCall("gather", d, idx, o, p);
    const args = [d.ptr, idx.ptr, o.ptr, p.outer, p.axis, p.inner, p.count, +p.batchedIndices];
    this.runParts("gather", "gather", what, p.outer >= 2 && o.size >= PARALLEL_MIN_ELEMENTS, args);
  }

  scatterAdd(src: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void {
    const s = this.buf(src, "scatterAdd"), idx = this.buf(indices, "scatterAdd"), o = this.buf(out, "scatterAdd");
    const what = checkGatherCall("scatterAdd", o, idx, s, p);
    const args = [s.ptr, idx.ptr, o.ptr, p.outer, p.axis, p.inner, p.count, +p.batchedIndices, +(o.dtype === "int32")];
    const large = p.outer >= 2 && Math.max(o.size, s.size) >= PARALLEL_MIN_ELEMENTS;
    this.runParts("scatterAdd", "scatterAdd", what, large, args);
  }

  copy(src: BackendBuffer, dst: BackendBuffer, p: CopyParams): void {
    const s = this.buf(src, "copy"), d = this.buf(dst, "copy");
    const what = checkCopy(s, d, p);
    if (p.shape.some((n) => n === 0)) { this.counters.dispatches++; return; }
    this.writeLayout("copy", what, p.shape, [p.srcStrides, p.dstStrides]);
    this.run("copy", what, (k) => k.copy(s.ptr, d.ptr, p.srcOffset, p.dstOffset));
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    const a = this.buf(x, "cast"), o = this.buf(out, "cast");
    checkCast(a, o);
    this.run("cast", () => `${a.size} ${a.dtype} → ${o.dtype}`, (k) => {
      if (a.dtype === o.dtype) {
        this.views();
        this.u8.copyWithin(o.ptr, a.ptr, a.ptr + a.bytes);
      } else if (o.dtype === "int32") k.castFloatToInt(a.ptr, o.ptr, a.size);
      else k.castIntToFloat(a.ptr, o.ptr, a.size);
    });
  }

  // ---- helpers ----

  private k(): KernelExports {
    if (!this.kernels) throw new KshotError("wasm backend: used after dispose()");
    return this.kernels;
  }

  /** Refreshes the typed views when memory has grown (growth replaces the ArrayBuffer). */
  private views(): void {
    const buffer = this.k().memory.buffer;
    if (buffer !== this.viewsOf) {
      this.viewsOf = buffer;
      this.f32 = new Float32Array(buffer);
      this.i32 = new Int32Array(buffer);
      this.u8 = new Uint8Array(buffer);
    }
  }

  private buf(b: BackendBuffer, op: string): WasmBuffer {
    if (!(b instanceof WasmBuffer) || b.owner !== this) {
      throw new KshotError(`wasm ${op}: expected a buffer allocated by this wasm backend, got ${b?.constructor?.name ?? b}`);
    }
    if (b.freed) throw new KshotError(`wasm ${op}: use of a freed buffer`);
    return b;
  }

  /** Runs a kernel, counting it; a wasm trap becomes a KshotError that names the op and its shapes. */
  private run(op: string, what: Describe, call: (k: KernelExports) => void): void {
    const k = this.k();
    this.counters.dispatches++;
    try {
      call(k);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new KshotError(`wasm ${op}: kernel failed (${e.message}) on ${what()}`);
      throw e;
    }
  }

  /** As run, for kernels that return a status (they allocate scratch memory). */
  private runWithStatus(op: string, what: Describe, call: (k: KernelExports) => number): void {
    let status = 0;
    this.run(op, what, (k) => { status = call(k); });
    if (status === STATUS_OUT_OF_MEMORY) {
      throw new KshotError(`wasm ${op}: out of memory for the kernel's scratch space (${this.live} bytes in use, ` +
        `${this.memoryBytes()} bytes of linear memory) on ${what()}`);
    }
    if (status !== 0) throw new KshotError(`wasm ${op}: kernel returned status ${status} on ${what()}`);
  }

  /**
   * Runs `kernel` (for the op named `op`) that can be split: in parts on the pool's threads when `large`,
   * else whole here. A part that could not finish exactly (out of scratch memory, NaN/±Inf that needs the
   * single-part path, a trap in a worker) makes the whole call run again here, which gives its result or
   * its error.
   */
  private runParts(kernel: ParallelKernel, op: string, what: Describe, large: boolean, args: readonly number[]): void {
    const call = (k: KernelExports, part: number, parts: number): number =>
      (k[kernel] as (...a: number[]) => number)(...args, part, parts);
    const pool = this.pool;
    if (pool && large) {
      let statuses: number[] = [];
      this.run(op, what, (k) => { statuses = pool.run(kernel, args, (part, parts) => call(k, part, parts)); });
      this.parallelDispatches++;
      if (statuses.every((s) => s === 0)) return;
      this.counters.dispatches--;
    }
    this.runWithStatus(op, what, (k) => call(k, 0, 1));
  }

  /** Writes a checked broadcast's collapsed layout to PARAMS. */
  private writeBroadcast(op: string, bc: Broadcast): void {
    // The output is contiguous, so it never stops two axes from merging: the inputs' strides decide.
    if (bc.outShape.every((n) => n > 0)) this.writeLayout(op, () => `out ${shapeText(bc.outShape)}`, bc.outShape, bc.strides);
  }

  /** Writes a strided iteration, collapsed, to PARAMS (see collapse-axes.ts). */
  private writeLayout(op: string, what: Describe, shape: readonly number[], strides: readonly (readonly number[])[]): void {
    this.views();
    const maxRank = Math.min(MAX_RANK, Math.floor((PARAM_WORDS - 1) / (strides.length + 1)));
    const rank = collapseInto(shape, strides, this.i32, this.params, maxRank);
    if (rank > maxRank) throw new KshotError(`wasm ${op}: expected at most ${maxRank} axes after merging, got ${rank} (${what()})`);
  }

  /** Checks a convolution's buffers: `input` [N,inC,H,W], `weight` OIHW, `output` [N,outC,oH,oW]. */
  private convBuffers(
    op: string, p: Conv2dParams, input: BackendBuffer, weight: BackendBuffer, output: BackendBuffer, names: [string, string, string],
  ): [WasmBuffer, WasmBuffer, WasmBuffer] {
    const i = this.buf(input, op), w = this.buf(weight, op), o = this.buf(output, op);
    checkConvCall(op, p, [i, w, o], names);
    return [i, w, o];
  }

  private writeConvParams(p: Conv2dParams): void {
    this.views();
    this.i32.set([p.batch, p.inC, p.inH, p.inW, p.outC, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW, p.padH, p.padW, p.groups], this.params);
  }
}

/** Multiply-adds of a convolution (and of each of its backward passes). */
function convMacs(p: Conv2dParams): number {
  return p.batch * p.outC * p.outH * p.outW * (p.inC / p.groups) * p.kh * p.kw;
}
