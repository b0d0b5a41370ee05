/** What a kernel family needs from the backend: compile-and-dispatch, scratch memory and the device's limits. */
import type { Grid } from "./command-recorder.ts";
import type { KernelSpec } from "./pipeline-cache.ts";

export interface KernelContext {
  /** Records one dispatch; `buffers` are the spec's read buffers, then its write buffers. */
  run(spec: KernelSpec, buffers: readonly GPUBuffer[], params: Uint32Array, grid: Grid): void;
  /** A pooled temporary of at least `bytes`; give it back with releaseScratch once its last use is recorded. */
  scratch(bytes: number): GPUBuffer;
  releaseScratch(buffer: GPUBuffer): void;
  readonly maxWorkgroupsPerDimension: number;
  readonly maxInvocationsPerWorkgroup: number;
  /** A CPU-emulated adapter: kernels may trade speed for compile time (see gemm_tile.wgsl). */
  readonly softwareAdapter: boolean;
}

/** A grid of at least `workgroups` workgroups, 2-D beyond the per-dimension limit. */
export function gridFor(workgroups: number, maxPerDimension: number): Grid {
  if (workgroups <= maxPerDimension) return { x: workgroups, y: workgroups > 0 ? 1 : 0 };
  const y = Math.ceil(workgroups / maxPerDimension);
  return { x: Math.ceil(workgroups / y), y };
}

/** Uint32 words of a params struct; int32 and float32 fields are stored by bit pattern. */
export class ParamWords {
  readonly words: Uint32Array;
  private readonly floats: Float32Array;
  private readonly ints: Int32Array;

  constructor(count: number) {
    this.words = new Uint32Array(count);
    this.floats = new Float32Array(this.words.buffer);
    this.ints = new Int32Array(this.words.buffer);
  }

  u32(index: number, value: number): this {
    this.words[index] = value;
    return this;
  }

  i32(index: number, value: number): this {
    this.ints[index] = value;
    return this;
  }

  f32(index: number, value: number): this {
    this.floats[index] = value;
    return this;
  }

  /** Consecutive values from `index` on (an array<vec4<u32 or i32>> field starts at a multiple of 4). */
  list(index: number, values: readonly number[], signed = false): this {
    values.forEach((v, k) => (signed ? this.ints : this.words)[index + k] = v);
    return this;
  }
}
