/** Every differentiable op, as the public API exposes them. */
export * from "./creation.ts";
export * from "./elementwise.ts";
export * from "./broadcast.ts";
export * from "./reduce.ts";
export * from "./shape.ts";
export * from "./matmul.ts";
export * from "./conv.ts";
export * from "./pool.ts";
export * from "./gather.ts";
export * from "./nn.ts";
export * from "./batch-norm.ts";
export * from "./linalg.ts";
export { fused, fusedRecord, FusedValue, ProgramBuilder } from "./fused.ts";
