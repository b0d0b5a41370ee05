/**
 * The WebGPU backend: kernels are WGSL compute shaders recorded into batched command encoders (see
 * CommandRecorder); memory is pooled GPUBuffers (see BufferPool). Reads are async only.
 */
import type {
  Backend, BackendBuffer, BackendCounters, BatchNormParams, BinaryOp, Broadcast, Conv2dParams, CopyParams, ElementwiseProgram,
  GatherParams, MatmulParams, Pool2dParams, ReduceOp, UnaryOp,
} from "../backend.ts";
import { allocHost, type DType, type TypedArrayFor } from "../../dtype.ts";
import { KshotError } from "../../errors.ts";
import {
  checkAffinePoolCall, checkBatchNormCall, checkBinary, checkCast, checkConvCall, checkCopy, checkElementwise, checkGatherCall, checkMatmulCall, checkPoolCall,
  checkReduce, checkUnary, checkWhere,
} from "../call-checks.ts";
import { BufferPool } from "./buffer-pool.ts";
import { CommandRecorder, type Grid, PARAMS_SLOT_BYTES } from "./command-recorder.ts";
import type { ScalarType } from "./codegen/elementwise-ops.ts";
import type { KernelContext } from "./kernel-context.ts";
import { batchNorm, batchNormBackward } from "./kernels/batch-norm.ts";
import { cast } from "./kernels/cast.ts";
import { conv2d, conv2dBackwardData, conv2dBackwardFilter } from "./kernels/conv.ts";
import { copy } from "./kernels/copy.ts";
import { binary, type Operand, unary, where } from "./kernels/elementwise-kernels.ts";
import { fill } from "./kernels/fill.ts";
import { fused } from "./kernels/fused.ts";
import { gather, scatterAdd } from "./kernels/gather.ts";
import { matmul } from "./kernels/matmul.ts";
import { affinePoolRelu, maxPool2d } from "./kernels/pool.ts";
import { reduce } from "./kernels/reduce.ts";
import { type KernelSpec, PipelineCache } from "./pipeline-cache.ts";
import type { AdapterDescription } from "./probe.ts";

export interface WebGPUCounters extends BackendCounters {
  /** Command buffers submitted. */
  submits: number;
  bindGroupsCreated: number;
  /** Dispatches that found their bind group in the cache. */
  bindGroupHits: number;
}

export interface WebGPUBackendOptions {
  /** Dispatches recorded before a submit happens on its own (reads, sync and flush submit too). */
  readonly maxDispatchesPerSubmit?: number;
}

interface GPUHandle extends BackendBuffer {
  gpu: GPUBuffer | null;
}

const BYTES = 4;
const DTYPES: readonly DType[] = ["float32", "int32"];

export class WebGPUBackend implements Backend {
  readonly name = "webgpu";
  readonly dtypes = DTYPES;
  readonly canReadSync = false;
  readonly counters: WebGPUCounters = zeroCounters();
  readonly adapter: AdapterDescription;
  private readonly storage: BufferPool;
  private readonly staging: BufferPool;
  private readonly recorder: CommandRecorder;
  private readonly pipelines: PipelineCache;
  private readonly ctx: KernelContext;
  private live = 0;
  private lostMessage: string | null = null;
  private disposed = false;
  private readonly deviceErrors: string[] = [];
  /** Settles with the reason when the device is lost (not when dispose() destroys it). */
  readonly whenLost: Promise<string>;

  constructor(readonly device: GPUDevice, adapter: AdapterDescription, options: WebGPUBackendOptions = {}) {
    this.adapter = adapter;
    const limits = device.limits;
    const maxBytes = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    this.storage = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      "kshot storage", this.counters, maxBytes);
    this.staging = new BufferPool(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, "kshot staging",
      this.counters, limits.maxBufferSize);
    this.recorder = new CommandRecorder(device, this.counters, options.maxDispatchesPerSubmit ?? 256);
    this.counters.allocations++; // the recorder's params arena
    this.pipelines = new PipelineCache(device, PARAMS_SLOT_BYTES);
    this.ctx = {
      run: (spec, buffers, params, grid) => this.run(spec, buffers, params, grid),
      scratch: (bytes) => this.storage.acquire(bytes),
      releaseScratch: (b) => this.storage.release(b),
      maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      softwareAdapter: adapter.isSoftware,
    };
    this.whenLost = device.lost.then((info) => {
      // A loss that dispose() caused is not news: that promise never settles.
      if (this.disposed) return new Promise<string>(() => {});
      this.lostMessage = `${info.reason}: ${info.message}`;
      return this.lostMessage;
    });
    device.addEventListener("uncapturederror", (event) => {
      const e = (event as GPUUncapturedErrorEvent).error;
      if (this.deviceErrors.length < 8) this.deviceErrors.push(e.message);
    });
  }

  /** Whether the device was lost: every further call throws; make a new backend (or fall back). */
  get lost(): boolean {
    return this.lostMessage !== null;
  }

  /** Pipelines compiled so far (one per kernel specialisation). */
  get pipelinesCompiled(): number {
    return this.pipelines.compiled;
  }

  resetCounters(): void {
    Object.assign(this.counters, zeroCounters());
  }

  bytesInUse(): number {
    return this.live;
  }

  /** Bytes of freed GPUBuffers kept for reuse. */
  cachedBytes(): number {
    return this.storage.cachedBytes() + this.staging.cachedBytes();
  }

  /** Destroys the pooled free buffers (e.g. after a large evaluation); live buffers are kept. */
  releaseCached(): void {
    this.recorder.flush();
    this.recorder.forgetBindGroups(this.storage.trim());
    this.staging.trim();
  }

  /** Submits the recorded work now, so the GPU starts on it while the host prepares more. */
  flush(): void {
    this.usable();
    this.recorder.flush();
  }

  allocate(dtype: DType, size: number): BackendBuffer {
    this.usable();
    if (!DTYPES.includes(dtype)) throw new KshotError(`webgpu: expected dtype float32 or int32, got ${dtype}`);
    if (!Number.isInteger(size) || size < 0) throw new KshotError(`webgpu: expected a whole number of elements, got ${size}`);
    const handle: GPUHandle = { dtype, size, gpu: this.storage.acquire(size * BYTES) };
    this.live += size * BYTES;
    return handle;
  }

  free(buffer: BackendBuffer): void {
    const h = this.handle(buffer);
    this.storage.release(h.gpu!);
    h.gpu = null;
    this.live -= h.size * BYTES;
  }

  write(buffer: BackendBuffer, data: TypedArrayFor): void {
    this.usable();
    const h = this.handle(buffer);
    if (data.length !== h.size) throw new KshotError(`webgpu write: expected ${h.size} elements, got ${data.length}`);
    if (h.size === 0) return;
    const typed = h.dtype === "int32"
      ? (data instanceof Int32Array ? data : Int32Array.from(data, (v) => Math.trunc(v)))
      : (data instanceof Float32Array ? data : Float32Array.from(data));
    // queue.writeBuffer runs before commands recorded earlier but not yet submitted. A write replaces the
    // whole buffer, so when those commands use it the handle moves to another GPUBuffer (they keep the
    // old one, and its old contents) instead of submitting them early.
    if (this.recorder.uses(h.gpu!)) {
      const fresh = this.storage.acquire(h.size * BYTES, (b) => this.recorder.uses(b));
      this.storage.release(h.gpu!);
      h.gpu = fresh;
    }
    // `as ArrayBuffer`: the bytes may live in a SharedArrayBuffer (a shared wasm memory), which writeBuffer
    // accepts at run time but some lib typings exclude.
    this.device.queue.writeBuffer(h.gpu!, 0, typed.buffer as ArrayBuffer, typed.byteOffset, typed.byteLength);
    this.counters.bytesUploaded += typed.byteLength;
  }

  async read(buffer: BackendBuffer): Promise<TypedArrayFor> {
    this.usable();
    const h = this.handle(buffer);
    const out = allocHost(h.dtype, h.size);
    const bytes = h.size * BYTES;
    if (bytes === 0) return out;
    const staging = this.staging.acquire(bytes);
    this.recorder.copy(h.gpu!, 0, staging, 0, bytes);
    this.recorder.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (e) {
      this.usable();
      throw new KshotError(`webgpu read: mapping the staging buffer failed: ${(e as Error).message}`);
    }
    new Uint8Array(out.buffer).set(new Uint8Array(staging.getMappedRange(0, bytes)));
    staging.unmap();
    this.staging.release(staging);
    this.counters.bytesReadBack += bytes;
    this.throwDeviceErrors();
    return out;
  }

  readSync(_buffer: BackendBuffer): TypedArrayFor {
    throw new KshotError("webgpu: readSync is not available on the WebGPU backend (canReadSync is false); use `await t.data()`");
  }

  async sync(): Promise<void> {
    this.usable();
    this.recorder.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.usable();
    this.throwDeviceErrors();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.storage.destroyAll();
    this.staging.destroyAll();
    this.recorder.destroy();
    this.device.destroy();
    this.live = 0;
  }

  fill(out: BackendBuffer, value: number): void {
    const h = this.kernelArg(out);
    fill(this.ctx, h.gpu!, h.dtype, h.size, value);
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    const [xo, oo] = [this.operand(x), this.operand(out)];
    checkUnary(op, x, out);
    unary(this.ctx, op, xo, oo, out.size);
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
    const [ao, bo, oo] = [this.operand(a), this.operand(b), this.operand(out)];
    checkBinary(op, a, b, out, bc);
    binary(this.ctx, op, ao, bo, oo, bc);
  }

  where(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
    checkWhere(cond, a, b, out, bc);
    where(this.ctx, this.operand(cond), this.operand(a), this.operand(b), this.operand(out), bc);
  }

  elementwise(program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast): void {
    checkElementwise(program, inputs, out, bc);
    fused(this.ctx, program, inputs.map((b) => this.kernelArg(b).gpu!), this.kernelArg(out).gpu!, bc);
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, outer: number, reduceSize: number, inner: number): void {
    checkReduce(op, x, out, outer, reduceSize, inner);
    reduce(this.ctx, op, this.operand(x), this.operand(out), outer, reduceSize, inner);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, p: MatmulParams): void {
    checkMatmulCall(a, b, out, p);
    matmul(this.ctx, this.kernelArg(a).gpu!, this.kernelArg(b).gpu!, this.kernelArg(out).gpu!, p);
  }

  conv2d(x: BackendBuffer, w: BackendBuffer, y: BackendBuffer, p: Conv2dParams): void {
    checkConvCall("conv2d", p, [x, w, y], ["x", "w", "y"]);
    conv2d(this.ctx, this.kernelArg(x).gpu!, this.kernelArg(w).gpu!, this.kernelArg(y).gpu!, p);
  }

  conv2dBackwardData(dy: BackendBuffer, w: BackendBuffer, dx: BackendBuffer, p: Conv2dParams): void {
    checkConvCall("conv2dBackwardData", p, [dx, w, dy], ["dx", "w", "dy"]);
    conv2dBackwardData(this.ctx, this.kernelArg(dy).gpu!, this.kernelArg(w).gpu!, this.kernelArg(dx).gpu!, p);
  }

  conv2dBackwardFilter(x: BackendBuffer, dy: BackendBuffer, dw: BackendBuffer, p: Conv2dParams): void {
    checkConvCall("conv2dBackwardFilter", p, [x, dw, dy], ["x", "dw", "dy"]);
    conv2dBackwardFilter(this.ctx, this.kernelArg(x).gpu!, this.kernelArg(dy).gpu!, this.kernelArg(dw).gpu!, p);
  }

  maxPool2d(x: BackendBuffer, y: BackendBuffer, indices: BackendBuffer, p: Pool2dParams): void {
    checkPoolCall(x, y, indices, p);
    maxPool2d(this.ctx, this.kernelArg(x).gpu!, this.kernelArg(y).gpu!, this.kernelArg(indices).gpu!, p);
  }

  affinePoolRelu(x: BackendBuffer, channel: BackendBuffer, y: BackendBuffer, p: Pool2dParams): void {
    checkAffinePoolCall(x, channel, y, p);
    affinePoolRelu(this.ctx, this.kernelArg(x).gpu!, this.kernelArg(channel).gpu!, this.kernelArg(y).gpu!, p);
  }

  batchNorm(x: BackendBuffer, gamma: BackendBuffer, beta: BackendBuffer, y: BackendBuffer, stats: BackendBuffer, p: BatchNormParams): void {
    checkBatchNormCall("batchNorm", p, [x, y], [gamma, beta], [stats]);
    const [a, g, b, o, st] = [x, gamma, beta, y, stats].map((v) => this.kernelArg(v).gpu!);
    batchNorm(this.ctx, a, g, b, o, st, p);
  }

  batchNormBackward(
    dy: BackendBuffer, x: BackendBuffer, gamma: BackendBuffer, stats: BackendBuffer, dx: BackendBuffer, sums: BackendBuffer, p: BatchNormParams,
  ): void {
    checkBatchNormCall("batchNormBackward", p, [dy, x, dx], [gamma], [stats, sums]);
    const [d, a, g, st, o, sm] = [dy, x, gamma, stats, dx, sums].map((v) => this.kernelArg(v).gpu!);
    batchNormBackward(this.ctx, d, a, g, st, o, sm, p);
  }

  gather(data: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void {
    checkGatherCall("gather", data, indices, out, p);
    gather(this.ctx, this.kernelArg(data).gpu!, this.kernelArg(indices).gpu!, this.kernelArg(out).gpu!, p);
  }

  scatterAdd(src: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void {
    checkGatherCall("scatterAdd", out, indices, src, p);
    scatterAdd(this.ctx, this.operand(src), this.kernelArg(indices).gpu!, this.operand(out), p);
  }

  copy(src: BackendBuffer, dst: BackendBuffer, p: CopyParams): void {
    checkCopy(src, dst, p);
    copy(this.ctx, this.kernelArg(src).gpu!, this.kernelArg(dst).gpu!, p);
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    const [xh, oh] = [this.kernelArg(x), this.kernelArg(out)];
    checkCast(x, out);
    if (x.dtype === out.dtype) this.recorder.copy(xh.gpu!, 0, oh.gpu!, 0, x.size * BYTES);
    else cast(this.ctx, xh.gpu!, oh.gpu!, x.size, out.dtype === "int32");
  }

  /** Compiles (once) and records one dispatch; an input that is also an output is read from a copy. */
  private run(spec: KernelSpec, buffers: readonly GPUBuffer[], params: Uint32Array, grid: Grid): void {
    const kernel = this.pipelines.get(spec);
    const bound = buffers.slice();
    const scratch: GPUBuffer[] = [];
    for (let i = 0; i < spec.reads; i++) {
      if (buffers.indexOf(bound[i], spec.reads) >= 0) {
        const temp = this.storage.acquire(bound[i].size);
        this.recorder.copy(bound[i], 0, temp, 0, bound[i].size);
        scratch.push(temp);
        bound[i] = temp;
      }
    }
    this.recorder.dispatch(kernel, bound, params, grid);
    for (const temp of scratch) this.storage.release(temp);
  }

  private usable(): void {
    if (this.disposed) throw new KshotError("webgpu: the backend was disposed");
    if (this.lostMessage !== null) {
      throw new KshotError(`webgpu: the GPU device was lost (${this.lostMessage}); its tensors are gone. ` +
        "Recreate them from host data (e.g. reload parameters from a checkpoint) on a new backend: " +
        "`ks.init()` again, or with backend \"auto\" wait for the switch to wasm (ks.getBackendName())");
    }
  }

  private throwDeviceErrors(): void {
    if (!this.deviceErrors.length) return;
    const messages = this.deviceErrors.splice(0);
    throw new KshotError(`webgpu: the device reported ${messages.length} error(s): ${messages.join(" | ")}`);
  }

  private handle(buffer: BackendBuffer): GPUHandle {
    const h = buffer as GPUHandle;
    if (!("gpu" in h)) throw new KshotError("webgpu: expected a buffer of this backend, got another backend's");
    if (h.gpu === null) throw new KshotError("webgpu: use of a freed buffer");
    return h;
  }

  private kernelArg(buffer: BackendBuffer): GPUHandle {
    this.usable();
    return this.handle(buffer);
  }

  private operand(buffer: BackendBuffer): Operand {
    const h = this.kernelArg(buffer);
    return { gpu: h.gpu!, type: scalarType(h.dtype) };
  }
}

function scalarType(dtype: DType): ScalarType {
  return dtype === "int32" ? "i32" : "f32";
}

function zeroCounters(): WebGPUCounters {
  return { dispatches: 0, allocations: 0, bytesAllocated: 0, bytesUploaded: 0, bytesReadBack: 0, submits: 0, bindGroupsCreated: 0, bindGroupHits: 0 };
}
