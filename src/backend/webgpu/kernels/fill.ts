/** fill: every element set to one 32-bit pattern (the value encoded as the buffer's dtype). */
import type { DType } from "../../../dtype.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";

const WG = 64;
const FILL = { key: "fill", source: () => shaderSource("fill"), reads: 0, writes: 1 };

export function fill(ctx: KernelContext, out: GPUBuffer, dtype: DType, size: number, value: number): void {
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  const p = new ParamWords(4).u32(0, size).u32(2, grid.x);
  if (dtype === "int32") p.i32(1, value);
  else p.f32(1, value);
  ctx.run(FILL, [out], p.words, grid);
}
