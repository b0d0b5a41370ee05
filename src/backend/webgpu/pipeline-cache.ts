/**
 * Compiled kernels by key. Every kernel has the same binding scheme: binding 0 is its params struct
 * (a uniform with a dynamic offset into the shared params arena), then its read-only storage buffers,
 * then its read-write storage buffers; layouts are shared by every kernel with the same counts.
 */
export interface KernelSpec {
  /** Names the specialised source: equal keys must mean equal WGSL. */
  readonly key: string;
  /** Builds the WGSL (called once per key). */
  readonly source: () => string;
  readonly reads: number;
  readonly writes: number;
}

export interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroupLayout: GPUBindGroupLayout;
  readonly layoutKey: string;
}

interface Layout {
  readonly bindGroupLayout: GPUBindGroupLayout;
  readonly pipelineLayout: GPUPipelineLayout;
}

export class PipelineCache {
  private readonly kernels = new Map<string, CompiledKernel>();
  private readonly layouts = new Map<string, Layout>();
  /** Pipelines compiled so far. */
  compiled = 0;

  constructor(private readonly device: GPUDevice, private readonly paramsBytes: number) {}

  get(spec: KernelSpec): CompiledKernel {
    const hit = this.kernels.get(spec.key);
    if (hit) return hit;
    const layoutKey = `r${spec.reads}w${spec.writes}`;
    const layout = this.layout(layoutKey, spec.reads, spec.writes);
    const module = this.device.createShaderModule({ label: spec.key, code: spec.source() });
    const pipeline = this.device.createComputePipeline({
      label: spec.key,
      layout: layout.pipelineLayout,
      compute: { module, entryPoint: "main" },
    });
    const kernel = { pipeline, bindGroupLayout: layout.bindGroupLayout, layoutKey };
    this.kernels.set(spec.key, kernel);
    this.compiled++;
    return kernel;
  }

  private layout(key: string, reads: number, writes: number): Layout {
    const hit = this.layouts.get(key);
    if (hit) return hit;
    const entries: GPUBindGroupLayoutEntry[] = [{
      binding: 0,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: this.paramsBytes },
    }];
    for (let i = 0; i < reads + writes; i++) {
      entries.push({
        binding: i + 1,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: i < reads ? "read-only-storage" : "storage" },
      });
    }
    const bindGroupLayout = this.device.createBindGroupLayout({ label: key, entries });
    const pipelineLayout = this.device.createPipelineLayout({ label: key, bindGroupLayouts: [bindGroupLayout] });
    const layout = { bindGroupLayout, pipelineLayout };
    this.layouts.set(key, layout);
    return layout;
  }
}
