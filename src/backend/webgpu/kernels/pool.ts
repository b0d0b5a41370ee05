/**
 * Max pooling with first-maximum indices (the backward pass is scatterAdd with batchedIndices), and
 * affinePoolRelu: the pool over a per-channel affine map, then ReLU, without indices.
 */
import type { Pool2dParams } from "../../backend.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";

const WG = 64;
const MAX_POOL = {
  key: "max_pool",
  source: () => [shaderSource("math"), shaderSource("pool_scan"), shaderSource("pool")].join("\n"),
  reads: 1,
  writes: 2,
};

const AFFINE_POOL = {
  key: "affine_pool",
  source: () => [shaderSource("math"), shaderSource("pool_scan"), shaderSource("affine_pool")].join("\n"),
  reads: 2,
  writes: 1,
};

/** pool_scan.wgsl's Params. */
function poolWords(p: Pool2dParams, gridX: number): Uint32Array {
  return new ParamWords(12).list(0, [p.batch * p.channels, p.inH, p.inW, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW, gridX, p.channels]).words;
}

export function affinePoolRelu(ctx: KernelContext, x: GPUBuffer, channel: GPUBuffer, y: GPUBuffer, p: Pool2dParams): void {
  const size = p.batch * p.channels * p.outH * p.outW;
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  ctx.run(AFFINE_POOL, [x, channel, y], poolWords(p, grid.x), grid);
}

export function maxPool2d(ctx: KernelContext, x: GPUBuffer, y: GPUBuffer, indices: GPUBuffer, p: Pool2dParams): void {
  const planes = p.batch * p.channels;
  const size = planes * p.outH * p.outW;
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  ctx.run(MAX_POOL, [x, y, indices], poolWords(p, grid.x), grid);
}
