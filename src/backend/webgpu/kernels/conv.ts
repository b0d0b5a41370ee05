/**
 * conv2d forward, backward-data and backward-filter as implicit GEMMs (one per group) on the tiled GEMM
 * core: im2col is gathered into workgroup memory tile by tile, never written out.
 */
import type { Conv2dParams } from "../../backend.ts";
import { KshotError } from "../../../errors.ts";
import type { KernelContext } from "../kernel-context.ts";
import { fill } from "./fill.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { type GemmShape, gemmParams, gemmSource, planGemm } from "./gemm-plan.ts";
import { reduce } from "./reduce.ts";

type ConvKernel = "conv2d" | "conv2d_backward_data" | "conv2d_backward_filter";

function checkGroups(p: Conv2dParams): void {
  if (p.groups < 1 || p.inC % p.groups !== 0 || p.outC % p.groups !== 0) {
    throw new KshotError(`webgpu conv2d: expected groups dividing inC ${p.inC} and outC ${p.outC}, got ${p.groups}`);
  }
}

function gemmShape(kernel: ConvKernel, p: Conv2dParams): GemmShape {
  const icg = p.inC / p.groups;
  const ocg = p.outC / p.groups;
  const taps = p.kh * p.kw;
  switch (kernel) {
    case "conv2d": return { batch: p.groups, m: ocg, n: p.batch * p.outH * p.outW, k: icg * taps };
    case "conv2d_backward_data": return { batch: p.groups, m: icg, n: p.batch * p.inH * p.inW, k: ocg * taps };
    case "conv2d_backward_filter": return { batch: p.groups, m: ocg, n: icg * taps, k: p.batch * p.outH * p.outW };
  }
}

function runConv(ctx: KernelContext, kernel: ConvKernel, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, p: Conv2dParams): void {
  checkGroups(p);
  const shape = gemmShape(kernel, p);
  const outSize = shape.batch * shape.m * shape.n;
  if (outSize === 0) return;
  if (shape.k === 0) {
    fill(ctx, out, "float32", outSize, 0);
    return;
  }
  // Only the filter gradient's output is a plain [group][m][n] matrix that split-K partials can sum into.
  const plan = planGemm(shape, ctx, kernel === "conv2d_backward_filter");
  const vecA = kernel === "conv2d" && shape.k % 4 === 0;
  const spec = {
    key: `${kernel}:${plan.tx}x${plan.ty}${vecA ? ":VEC_A" : ""}`,
    source: () => shaderSource("conv_params") + "\n" + gemmSource(kernel, plan, ctx.softwareAdapter, { VEC_A: vecA, W_ELEM: vecA ? "vec4<f32>" : "f32" }),
    reads: 2,
    writes: 1,
  };
  const params = gemmParams(shape, plan, 20)
    .list(8, [p.inC, p.inH, p.inW, p.outC, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW, p.padH, p.padW])
    .words;
  if (plan.kSplit === 1) {
    ctx.run(spec, [a, b, out], params, plan.grid);
    return;
  }
  const partials = ctx.scratch(plan.kSplit * outSize * 4);
  ctx.run(spec, [a, b, partials], params, plan.grid);
  reduce(ctx, "sum", { gpu: partials, type: "f32" }, { gpu: out, type: "f32" }, 1, plan.kSplit, outSize);
  ctx.releaseScratch(partials);
}

export function conv2d(ctx: KernelContext, x: GPUBuffer, w: GPUBuffer, y: GPUBuffer, p: Conv2dParams): void {
  runConv(ctx, "conv2d", x, w, y, p);
}

export function conv2dBackwardData(ctx: KernelContext, dy: GPUBuffer, w: GPUBuffer, dx: GPUBuffer, p: Conv2dParams): void {
  runConv(ctx, "conv2d_backward_data", dy, w, dx, p);
}

export function conv2dBackwardFilter(ctx: KernelContext, x: GPUBuffer, dy: GPUBuffer, dw: GPUBuffer, p: Conv2dParams): void {
  runConv(ctx, "conv2d_backward_filter", x, dy, dw, p);
}
