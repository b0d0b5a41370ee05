/** Strided copy of 32-bit elements (transpose, slice, concat, pad, broadcast): dtype-agnostic. */
import type { CopyParams } from "../../backend.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";
import { collapseAxes } from "../strided-shape.ts";

const WG = 64;
const COPY = { key: "copy", source: () => shaderSource("copy"), reads: 1, writes: 1 };

export function copy(ctx: KernelContext, src: GPUBuffer, dst: GPUBuffer, c: CopyParams): void {
  const collapsed = collapseAxes(c.shape, [c.srcStrides, c.dstStrides]);
  const size = collapsed.shape.reduce((p, e) => p * e, 1);
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  // Params layout of copy.wgsl: size, rank, groups_x, src_offset, dst_offset, pad[3], shape[8], src_strides[8], dst_strides[8].
  const p = new ParamWords(32)
    .u32(0, size).u32(1, collapsed.shape.length).u32(2, grid.x).u32(3, c.srcOffset).u32(4, c.dstOffset)
    .list(8, collapsed.shape)
    .list(16, collapsed.strides[0], true)
    .list(24, collapsed.strides[1], true);
  ctx.run(COPY, [src, dst], p.words, grid);
}
