/**
 * The WebGPU backend's entry points: probe what the platform offers, and create a backend on it.
 * `gpu` defaults to `navigator.gpu`; in Node pass the `webgpu` package's GPU object.
 */
import { KshotError } from "../../errors.ts";
import { describeAdapter, platformGPU, requestAdapter } from "./probe.ts";
import { WebGPUBackend, type WebGPUBackendOptions } from "./webgpu-backend.ts";

export { probeWebGPU, type WebGPUProbe } from "./probe.ts";
export { WebGPUBackend, type WebGPUCounters } from "./webgpu-backend.ts";

export interface CreateWebGPUOptions extends WebGPUBackendOptions {
  readonly gpu?: GPU;
  /** Accept a software (CPU-emulated) adapter; `auto` backend choice leaves this false. */
  readonly allowSoftware?: boolean;
}

/** Limits raised to the adapter's maximum (the defaults would cap buffers at 128-256 MiB). */
const RAISED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

export async function createWebGPUBackend(options: CreateWebGPUOptions = {}): Promise<WebGPUBackend> {
  const gpu = options.gpu ?? platformGPU();
  if (!gpu) throw new KshotError("webgpu: expected navigator.gpu (or options.gpu), found none in this runtime");
  const adapter = await requestAdapter(gpu);
  if (!adapter) throw new KshotError("webgpu: expected a WebGPU adapter, requestAdapter() returned null");
  const description = await describeAdapter(adapter);
  if (description.isSoftware && !options.allowSoftware) {
    throw new KshotError(`webgpu: the only adapter is a software one (${description.description}), slower than wasm; ` +
      "ask for the webgpu backend by name (allowSoftware: true) to use it anyway");
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  return new WebGPUBackend(device, description, options);
}
