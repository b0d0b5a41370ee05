// kshot's WebAssembly kernels: the exports the host (src/backend/wasm) calls. Pointers are byte offsets
// into the exported memory; shapes come as arguments or through the PARAMS block.
import { PARAMS } from "./params";

export { alloc, free, heapFreeBytes, heapSize } from "./memory";
export { threadInit } from "./scratch";
export { setClaimCounters } from "./parts";
export { unary, binary, where } from "./elementwise";
export { elementwiseProgram, programPointer } from "./fused";
export { reduce } from "./reduce";
export { copy, fill, castFloatToInt, castIntToFloat } from "./copy";
export { gather, scatterAdd } from "./gather";
export { affinePoolRelu, maxPool2d } from "./pool";
export { batchNorm, batchNormBackward } from "./batch-norm";

/** Address of the PARAMS block (PARAM_WORDS i32 words). */
export function paramsPointer(): usize { return PARAMS; }
export { matmul } from "./matmul";
export { conv2d, conv2dBackwardData, conv2dBackwardFilter } from "./conv";
