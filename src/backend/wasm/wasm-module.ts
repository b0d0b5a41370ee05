/**
 * Loading the AssemblyScript kernels: decodes the inlined wasm (plain SIMD or relaxed SIMD, each with its
 * own memory or, for threads, over an imported shared memory), instantiates it and types its exports.
 * Which build runs is chosen here: relaxed only when asked for (non-deterministic) and when this engine
 * validates it (Node 20 needs --experimental-wasm-relaxed-simd).
 */
import { KshotError } from "../../errors.ts";
import { wasmBuildBytes } from "./wasm-builds.ts";

export type WasmBuild = "simd" | "relaxed";

/** The kernel exports (see assembly/index.ts). Pointers are byte offsets; flags are 0/1. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  paramsPointer(): number;
  alloc(bytes: number): number;
  free(ptr: number): void;
  heapFreeBytes(): number;
  heapSize(): number;
  /** Worker instances only: scratch of its own (assembly/scratch.ts); 0 when out of memory. */
  threadInit(): number;
  setClaimCounters(address: number): void;
  copy(src: number, dst: number, srcOffset: number, dstOffset: number): void;
  fill(out: number, bits: number, n: number): void;
  castFloatToInt(x: number, y: number, n: number): void;
  castIntToFloat(x: number, y: number, n: number): void;
  // The kernels below run as part `part` of `parts` (assembly/parts.ts); one part is the whole call.
  unary(op: number, isInt: number, x: number, y: number, n: number, part: number, parts: number): number;
  binary(op: number, isInt: number, outInt: number, a: number, b: number, y: number, part: number, parts: number): number;
  where(condInt: number, c: number, a: number, b: number, y: number, part: number, parts: number): number;
  reduce(op: number, isInt: number, x: number, y: number, outer: number, reduce: number, inner: number, part: number, parts: number): number;
  gather(data: number, indices: number, out: number, outer: number, axis: number, inner: number, count: number, batched: number, part: number, parts: number): number;
  scatterAdd(src: number, indices: number, out: number, outer: number, axis: number, inner: number, count: number, batched: number, isInt: number, part: number, parts: number): number;
  maxPool2d(x: number, y: number, indices: number, planes: number, inH: number, inW: number, outH: number, outW: number, kh: number, kw: number, sh: number, sw: number, part: number, parts: number): number;
  affinePoolRelu(x: number, channel: number, y: number, planes: number, channels: number, inH: number, inW: number, outH: number, outW: number, kh: number, kw: number, sh: number, sw: number, part: number, parts: number): number;
  batchNorm(x: number, gamma: number, beta: number, y: number, stats: number, batch: number, channels: number, spatial: number, epsBits: number, part: number, parts: number): number;
  batchNormBackward(dy: number, x: number, gamma: number, stats: number, dx: number, sums: number, batch: number, channels: number, spatial: number, part: number, parts: number): number;
  matmul(a: number, b: number, c: number, batch: number, m: number, n: number, k: number, transA: number, transB: number, aBatchStride: number, bBatchStride: number, part: number, parts: number): number;
  conv2d(x: number, w: number, y: number, part: number, parts: number): number;
  conv2dBackwardData(dy: number, w: number, dx: number, part: number, parts: number): number;
  conv2dBackwardFilter(x: number, dy: number, dw: number, part: number, parts: number): number;
  programPointer(): number;
  elementwiseProgram(out: number, part: number, parts: number): number;
}

/** Memory pages of the threaded builds: as asconfig.json (initialMemory, maximumMemory). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 65536;

export interface ChosenBuild {
  build: WasmBuild;
  bytes: Uint8Array<ArrayBuffer>;
  /** Whether it imports a shared memory (the threaded variant of the build). */
  threaded: boolean;
}

/**
 * The build to run: relaxed SIMD only when determinism is not required and the engine accepts it; the
 * threaded variant (imported shared memory, atomics) when asked for.
 */
export async function chooseBuild(deterministic: boolean, threaded = false): Promise<ChosenBuild> {
  const suffix = threaded ? "-threads" : "";
  const simd = await wasmBuildBytes(`simd${suffix}`);
  if (!simd) {
    throw new KshotError("wasm backend: the kernels are not built (expected src/generated/wasm.ts from `node scripts/build.mjs generate`)");
  }
  if (!deterministic) {
    const relaxed = await wasmBuildBytes(`relaxed${suffix}`);
    if (relaxed && WebAssembly.validate(relaxed)) return { build: "relaxed", bytes: relaxed, threaded };
  }
  if (!WebAssembly.validate(simd)) {
    throw new KshotError(`wasm backend: this engine cannot run WebAssembly SIMD${threaded ? " with threads" : ""} (expected 128-bit SIMD support)`);
  }
  return { build: "simd", bytes: simd, threaded };
}

/** A compiled build and its instance (over `memory` for a threaded build). */
export interface LoadedKernels {
  module: WebAssembly.Module;
  kernels: KernelExports;
}

export async function instantiateKernels(chosen: ChosenBuild): Promise<LoadedKernels> {
  const module = await WebAssembly.compile(chosen.bytes);
  const imports: WebAssembly.Imports = chosen.threaded
    ? { env: { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true }) } }
    : {};
  const instance = await WebAssembly.instantiate(module, imports);
  return { module, kernels: instance.exports as unknown as KernelExports };
}
