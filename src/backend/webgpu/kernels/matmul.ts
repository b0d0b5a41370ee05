/** Batched matmul with transpose flags on the tiled GEMM core; split-K partials summed by the reduce kernel. */
import type { MatmulParams } from "../../backend.ts";
import type { KernelContext } from "../kernel-context.ts";
import { gemmParams, gemmSource, planGemm } from "./gemm-plan.ts";
import { fill } from "./fill.ts";
import { reduce } from "./reduce.ts";

export function matmul(ctx: KernelContext, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, p: MatmulParams): void {
  const shape = { batch: p.batch, m: p.m, n: p.n, k: p.k };
  const outSize = p.batch * p.m * p.n;
  if (outSize === 0) return;
  if (p.k === 0) {
    fill(ctx, out, "float32", outSize, 0);
    return;
  }
  const plan = planGemm(shape, ctx, true);
  // vec4 access needs every row start (row length, batch stride) to be a multiple of 4 elements.
  const vecA = (p.transA ? p.m : p.k) % 4 === 0 && p.aBatchStride % 4 === 0;
  const vecB = (p.transB ? p.k : p.n) % 4 === 0 && p.bBatchStride % 4 === 0;
  const vecC = p.n % 4 === 0;
  const flags = { TRANS_A: p.transA, TRANS_B: p.transB, VEC_A: vecA, VEC_B: vecB, VEC_C: vecC };
  const elem = (v: boolean) => (v ? "vec4<f32>" : "f32");
  const key = `matmul:${plan.tx}x${plan.ty}:${Object.entries(flags).filter(([, v]) => v).map(([k]) => k).join(",")}`;
  const spec = {
    key,
    source: () => gemmSource("matmul", plan, ctx.softwareAdapter, { ...flags, A_ELEM: elem(vecA), B_ELEM: elem(vecB), C_ELEM: elem(vecC) }),
    reads: 2,
    writes: 1,
  };
  const params = gemmParams(shape, plan, 12).u32(8, p.aBatchStride).u32(9, p.bBatchStride).words;
  if (plan.kSplit === 1) {
    ctx.run(spec, [a, b, out], params, plan.grid);
    return;
  }
  const partials = ctx.scratch(plan.kSplit * outSize * 4);
  ctx.run(spec, [a, b, partials], params, plan.grid);
  reduce(ctx, "sum", { gpu: partials, type: "f32" }, { gpu: out, type: "f32" }, 1, plan.kSplit, outSize);
  ctx.releaseScratch(partials);
}
