/** cast between float32 and int32 (same-dtype casts are plain buffer copies, done by the caller). */
import { shaderSource } from "../codegen/shader-source.ts";
import { specialize } from "../codegen/specialize.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";

const WG = 64;

function castSpec(toInt: boolean) {
  return {
    key: toInt ? "cast:f32>i32" : "cast:i32>f32",
    source: () => shaderSource("math") + "\n" + specialize(shaderSource("cast"), { TO_INT: toInt }, "cast.wgsl"),
    reads: 1,
    writes: 1,
  };
}
const TO_INT = castSpec(true);
const TO_FLOAT = castSpec(false);

export function cast(ctx: KernelContext, x: GPUBuffer, out: GPUBuffer, size: number, toInt: boolean): void {
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  ctx.run(toInt ? TO_INT : TO_FLOAT, [x, out], new ParamWords(4).u32(0, size).u32(1, grid.x).words, grid);
}
