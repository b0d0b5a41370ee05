/** Finding a WebGPU adapter and telling hardware from software (CPU-emulated) ones. */

export interface AdapterDescription {
  /** Vendor, architecture, device and driver, as far as the browser reveals them. */
  readonly description: string;
  /** A CPU implementation: isFallbackAdapter, or llvmpipe / lavapipe / SwiftShader by name. */
  readonly isSoftware: boolean;
}

export interface WebGPUProbe extends AdapterDescription {
  readonly available: boolean;
  /** Why no adapter could be had. */
  readonly reason?: string;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|software|softpipe|warp/i;

/** `navigator.gpu` where the platform has one. */
export function platformGPU(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

export async function requestAdapter(gpu: GPU): Promise<GPUAdapter | null> {
  return gpu.requestAdapter({ powerPreference: "high-performance" });
}

type AdapterInfoLike = Partial<Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">> & {
  isFallbackAdapter?: boolean;
};

export async function describeAdapter(adapter: GPUAdapter): Promise<AdapterDescription> {
  const legacy = adapter as GPUAdapter & {
    isFallbackAdapter?: boolean;
    requestAdapterInfo?: () => Promise<AdapterInfoLike>;
  };
  const info: AdapterInfoLike = legacy.info ?? (await legacy.requestAdapterInfo?.()) ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s !== "0");
  const description = parts.length ? parts.join(" / ") : "unknown adapter";
  const fallback = info.isFallbackAdapter === true || legacy.isFallbackAdapter === true;
  return { description, isSoftware: fallback || SOFTWARE_NAMES.test(description) };
}

/** Whether WebGPU is usable here, and on what. Never throws. */
export async function probeWebGPU(gpu: GPU | undefined = platformGPU()): Promise<WebGPUProbe> {
  if (!gpu) return { available: false, isSoftware: false, description: "", reason: "no navigator.gpu in this runtime" };
  try {
    const adapter = await requestAdapter(gpu);
    if (!adapter) return { available: false, isSoftware: false, description: "", reason: "requestAdapter() returned null" };
    return { available: true, ...(await describeAdapter(adapter)) };
  } catch (e) {
    return { available: false, isSoftware: false, description: "", reason: `requestAdapter() failed: ${(e as Error).message}` };
  }
}
