/** Max pooling with first-maximum indices (the backward pass is scatterAdd with batchedIndices). */
import type { Pool2dParams } from "../../backend.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";

const WG = 64;
const MAX_POOL = {
  key: "max_pool",
  source: () => shaderSource("math") + "\n" + shaderSource("pool"),
  reads: 1,
  writes: 2,
};

export function maxPool2d(ctx: KernelContext, x: GPUBuffer, y: GPUBuffer, indices: GPUBuffer, p: Pool2dParams): void {
  const planes = p.batch * p.channels;
  const size = planes * p.outH * p.outW;
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  const words = new ParamWords(12)
    .list(0, [planes, p.inH, p.inW, p.outH, p.outW, p.kh, p.kw, p.strideH, p.strideW, grid.x]).words;
  ctx.run(MAX_POOL, [x, y, indices], words, grid);
}
