/**
 * Records dispatches into one command encoder (one compute pass while only dispatches come) and submits
 * them in batches: when the params arena is full, every `maxDispatchesPerSubmit` dispatches, or when the
 * host needs results (read, sync, or a write to a buffer the pending work uses). Kernel params go to one
 * CPU-side arena and reach the GPU in a single writeBuffer per submit; each dispatch binds its 256-byte
 * slot through a dynamic offset, so bind groups do not depend on params and are cached by buffers.
 */
import { BindGroupCache, type BindGroupCounters } from "./bind-group-cache.ts";
import type { CompiledKernel } from "./pipeline-cache.ts";

/** Workgroups along x and y (x * y >= the workgroups wanted; kernels skip the excess). */
export interface Grid {
  readonly x: number;
  readonly y: number;
}

export interface RecorderCounters extends BindGroupCounters {
  dispatches: number;
  submits: number;
}

export const PARAMS_SLOT_BYTES = 256;
const ARENA_SLOTS = 512;
// A few meta-iterations' worth (~900 distinct groups each at Conv-4 sizes).
const BIND_GROUP_CACHE_LIMIT = 8192;

export class CommandRecorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena = new Uint32Array((ARENA_SLOTS * PARAMS_SLOT_BYTES) / 4);
  private readonly paramsBuffer: GPUBuffer;
  private slots = 0;
  private pending = 0;
  /** Buffers the unsubmitted commands read or write. */
  private readonly used = new Set<GPUBuffer>();
  private readonly bindGroups: BindGroupCache;

  constructor(
    private readonly device: GPUDevice,
    private readonly counters: RecorderCounters,
    private readonly maxDispatchesPerSubmit: number,
  ) {
    this.bindGroups = new BindGroupCache(counters, BIND_GROUP_CACHE_LIMIT);
    this.paramsBuffer = device.createBuffer({
      label: "kshot params arena",
      size: this.arena.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  /** Whether commands not yet submitted use `buffer`. */
  uses(buffer: GPUBuffer): boolean {
    return this.used.has(buffer);
  }

  /** Whether anything is recorded but not submitted. */
  hasPending(): boolean {
    return this.encoder !== null;
  }

  dispatch(kernel: CompiledKernel, buffers: readonly GPUBuffer[], params: Uint32Array, grid: Grid): void {
    if (grid.x === 0 || grid.y === 0) return;
    if (this.slots === ARENA_SLOTS) this.flush();
    const slot = this.slots++;
    this.arena.set(params, (slot * PARAMS_SLOT_BYTES) / 4);
    const pass = this.computePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup(kernel, buffers), [slot * PARAMS_SLOT_BYTES]);
    pass.dispatchWorkgroups(grid.x, grid.y);
    for (const b of buffers) this.used.add(b);
    this.counters.dispatches++;
    if (++this.pending >= this.maxDispatchesPerSubmit) this.flush();
  }

  /** Records a buffer-to-buffer copy in order with the dispatches. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes === 0) return;
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.used.add(src);
    this.used.add(dst);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.slots > 0) this.device.queue.writeBuffer(this.paramsBuffer, 0, this.arena, 0, (this.slots * PARAMS_SLOT_BYTES) / 4);
    this.device.queue.submit([this.encoder.finish()]);
    this.counters.submits++;
    this.encoder = null;
    this.slots = 0;
    this.pending = 0;
    this.used.clear();
  }

  /** Drops the cached bind groups that name `buffers` (call when they are destroyed). */
  forgetBindGroups(buffers: readonly GPUBuffer[]): void {
    this.bindGroups.forget(buffers);
  }

  /** Bind groups held by the cache. */
  get cachedBindGroups(): number {
    return this.bindGroups.size;
  }

  destroy(): void {
    this.bindGroups.clear();
    this.paramsBuffer.destroy();
  }

  private bindGroup(kernel: CompiledKernel, buffers: readonly GPUBuffer[]): GPUBindGroup {
    return this.bindGroups.get(kernel.layoutKey, buffers, () => {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.paramsBuffer, size: PARAMS_SLOT_BYTES } }];
      buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
      return this.device.createBindGroup({ layout: kernel.bindGroupLayout, entries });
    });
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: "kshot batch" });
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }
}
