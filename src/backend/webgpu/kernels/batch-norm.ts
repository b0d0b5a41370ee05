/**
 * Training-mode BatchNorm and its adjoint: one workgroup per channel, which sums the channel's values by a
 * tree (shaders/channel_sums.wgsl, prepended to shaders/batch_norm.wgsl and shaders/batch_norm_backward.wgsl),
 * then normalises them.
 */
import type { BatchNormParams } from "../../backend.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { specialize } from "../codegen/specialize.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";

/** The workgroup: a power of two, at most 256 and the device's limit. */
function workgroupSize(ctx: KernelContext): number {
  return 2 ** Math.floor(Math.log2(Math.min(256, ctx.maxInvocationsPerWorkgroup)));
}

function spec(name: "batch_norm" | "batch_norm_backward", wg: number, reads: number) {
  return {
    key: `${name}:${wg}`,
    source: () => [shaderSource("math"), shaderSource("channel_sums"), specialize(shaderSource(name), { WG: `${wg}u` }, `${name}.wgsl`)].join("\n"),
    reads,
    writes: 2,
  };
}

export function batchNorm(
  ctx: KernelContext, x: GPUBuffer, gamma: GPUBuffer, beta: GPUBuffer, y: GPUBuffer, stats: GPUBuffer, p: BatchNormParams,
): void {
  if (p.channels === 0) return;
  const grid = gridFor(p.channels, ctx.maxWorkgroupsPerDimension);
  const words = new ParamWords(5).list(0, [p.batch, p.channels, p.spatial, grid.x]).f32(4, p.eps).words;
  ctx.run(spec("batch_norm", workgroupSize(ctx), 3), [x, gamma, beta, y, stats], words, grid);
}

export function batchNormBackward(
  ctx: KernelContext, dy: GPUBuffer, x: GPUBuffer, gamma: GPUBuffer, stats: GPUBuffer, dx: GPUBuffer, sums: GPUBuffer, p: BatchNormParams,
): void {
  if (p.channels === 0) return;
  const grid = gridFor(p.channels, ctx.maxWorkgroupsPerDimension);
  const words = new ParamWords(4).list(0, [p.batch, p.channels, p.spatial, grid.x]).words;
  ctx.run(spec("batch_norm_backward", workgroupSize(ctx), 4), [dy, x, gamma, stats, dx, sums], words, grid);
}
