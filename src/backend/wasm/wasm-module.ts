/**
 * Loading the AssemblyScript kernels: decodes the inlined wasm (plain SIMD or relaxed SIMD), instantiates
 * it and types its exports. Which build runs is chosen here: relaxed only when asked for (non-deterministic)
 * and when this engine validates it (Node 20 needs --experimental-wasm-relaxed-simd).
 */
import { WASM_RELAXED_BASE64, WASM_SIMD_BASE64 } from "../../generated/wasm.ts";
import { KshotError } from "../../errors.ts";

export type WasmBuild = "simd" | "relaxed";

/** The kernel exports (see assembly/index.ts). Pointers are byte offsets; flags are 0/1. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  paramsPointer(): number;
  alloc(bytes: number): number;
  free(ptr: number): void;
  heapFreeBytes(): number;
  heapSize(): number;
  unary(op: number, isInt: number, x: number, y: number, n: number): void;
  binary(op: number, isInt: number, outInt: number, a: number, b: number, y: number): void;
  where(condInt: number, c: number, a: number, b: number, y: number): void;
  reduce(op: number, isInt: number, x: number, y: number, outer: number, reduce: number, inner: number): void;
  copy(src: number, dst: number, srcOffset: number, dstOffset: number): void;
  fill(out: number, bits: number, n: number): void;
  castFloatToInt(x: number, y: number, n: number): void;
  castIntToFloat(x: number, y: number, n: number): void;
  gather(data: number, indices: number, out: number, outer: number, axis: number, inner: number, count: number, batched: number): void;
  scatterAdd(src: number, indices: number, out: number, outer: number, axis: number, inner: number, count: number, batched: number, isInt: number): void;
  maxPool2d(x: number, y: number, indices: number, planes: number, inH: number, inW: number, outH: number, outW: number, kh: number, kw: number, sh: number, sw: number): void;
  matmul(a: number, b: number, c: number, batch: number, m: number, n: number, k: number, transA: number, transB: number, aBatchStride: number, bBatchStride: number): number;
  conv2d(x: number, w: number, y: number): number;
  programPointer(): number;
  elementwiseProgram(out: number): void;
  conv2dBackwardData(dy: number, w: number, dx: number): number;
  conv2dBackwardFilter(x: number, dy: number, dw: number): number;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The build to run: relaxed SIMD only when determinism is not required and the engine accepts it. */
export function chooseBuild(deterministic: boolean): { build: WasmBuild; bytes: Uint8Array<ArrayBuffer> } {
  if (!WASM_SIMD_BASE64) {
    throw new KshotError("wasm backend: the kernels are not built (expected src/generated/wasm.ts from `node scripts/build.mjs generate`)");
  }
  if (!deterministic && WASM_RELAXED_BASE64) {
    const relaxed = decodeBase64(WASM_RELAXED_BASE64);
    if (WebAssembly.validate(relaxed)) return { build: "relaxed", bytes: relaxed };
  }
  const simd = decodeBase64(WASM_SIMD_BASE64);
  if (!WebAssembly.validate(simd)) {
    throw new KshotError("wasm backend: this engine cannot run WebAssembly SIMD (expected 128-bit SIMD support)");
  }
  return { build: "simd", bytes: simd };
}

export async function instantiateKernels(bytes: Uint8Array<ArrayBuffer>): Promise<KernelExports> {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return instance.exports as unknown as KernelExports;
}
