/** A fused elementwise program as one dispatch (see codegen/program.ts and shaders/fused.wgsl). */
import type { Broadcast, ElementwiseProgram } from "../../backend.ts";
import { KshotError } from "../../../errors.ts";
import { type InputAccess, type ProgramShader, programKey, programSource } from "../codegen/program.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";
import { collapseAxes, type StridedShape } from "../strided-shape.ts";

const WG = 64;
/** Params words: 12 of header and shape, then 8 per walking input, within one 256-byte slot. */
const MAX_WALKING_INPUTS = 6;

export function fused(ctx: KernelContext, program: ElementwiseProgram, inputs: readonly GPUBuffer[], out: GPUBuffer, bc: Broadcast): void {
  if (program.steps.length === 0) throw new KshotError("webgpu elementwise: expected a program with at least one step, got none");
  const collapsed = collapseAxes(bc.outShape, bc.strides);
  const size = collapsed.shape.reduce((p, e) => p * e, 1);
  if (size === 0) return;
  const access = collapsed.strides.map((s) => accessOf(collapsed, s));
  const walking = collapsed.strides.filter((_s, j) => access[j] === "walk");
  if (walking.length > MAX_WALKING_INPUTS) {
    throw new KshotError(`webgpu elementwise: expected at most ${MAX_WALKING_INPUTS} broadcast inputs, got ${walking.length}`);
  }
  const shader: ProgramShader = { program, access };
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  const p = new ParamWords(12 + 8 * Math.max(1, walking.length))
    .u32(0, size).u32(1, collapsed.shape.length).u32(2, grid.x).list(4, collapsed.shape);
  walking.forEach((s, j) => p.list(12 + 8 * j, s));
  ctx.run(
    { key: programKey(shader), source: () => programSource(shader), reads: inputs.length, writes: 1 },
    [...inputs, out],
    p.words,
    grid,
  );
}

function accessOf(shape: StridedShape, strides: readonly number[]): InputAccess {
  if (strides.every((s) => s === 0)) return "scalar";
  let expected = 1;
  for (let d = shape.shape.length - 1; d >= 0; d--) {
    if (strides[d] !== expected && shape.shape[d] !== 1) return "walk";
    expected *= shape.shape[d];
  }
  return "contiguous";
}
