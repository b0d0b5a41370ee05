/** gather and deterministic scatter-add along an axis (see shaders/gather.wgsl, shaders/scatter_add.wgsl). */
import type { GatherParams } from "../../backend.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { specialize } from "../codegen/specialize.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";
import type { Operand } from "./elementwise-kernels.ts";

const WG = 64;

function params(p: GatherParams, groupsX: number, cells: number): Uint32Array {
  return new ParamWords(8).list(0, [p.outer, p.axis, p.inner, p.count, groupsX, cells]).words;
}

export function gather(ctx: KernelContext, data: GPUBuffer, indices: GPUBuffer, out: GPUBuffer, p: GatherParams): void {
  const size = p.outer * p.count * p.inner;
  if (size === 0) return;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  const batched = p.batchedIndices;
  ctx.run(
    {
      key: `gather:${batched ? "batched" : "shared"}`,
      source: () => specialize(shaderSource("gather"), { BATCHED: batched }, "gather.wgsl"),
      reads: 2,
      writes: 1,
    },
    [data, indices, out],
    params(p, grid.x, 0),
    grid,
  );
}

type Phase = "INIT" | "MARK" | "RESOLVE";
const PHASE_BUFFERS: Record<Phase, { reads: number; writes: number }> = {
  INIT: { reads: 0, writes: 1 },
  MARK: { reads: 1, writes: 1 },
  RESOLVE: { reads: 3, writes: 1 },
};

function phaseSpec(phase: Phase, batched: boolean, type: string) {
  const defines = { INIT: phase === "INIT", MARK: phase === "MARK", RESOLVE: phase === "RESOLVE", BATCHED: batched, T: type };
  return {
    key: `scatter_add:${phase}:${batched ? "batched" : "shared"}:${type}`,
    source: () => specialize(shaderSource("scatter_add"), defines, "scatter_add.wgsl"),
    ...PHASE_BUFFERS[phase],
  };
}

export function scatterAdd(ctx: KernelContext, src: Operand, indices: GPUBuffer, out: Operand, p: GatherParams): void {
  const outSize = p.outer * p.axis * p.inner;
  if (outSize === 0) return;
  const batched = p.batchedIndices;
  const cells = (batched ? p.outer : 1) * p.axis;
  const state = ctx.scratch(2 * cells * 4);
  const grid = (n: number) => gridFor(Math.ceil(n / WG), ctx.maxWorkgroupsPerDimension);
  const g0 = grid(cells);
  ctx.run(phaseSpec("INIT", batched, src.type), [state], params(p, g0.x, cells), g0);
  const g1 = grid((batched ? p.outer : 1) * p.count);
  ctx.run(phaseSpec("MARK", batched, src.type), [indices, state], params(p, g1.x, cells), g1);
  const g2 = grid(outSize);
  ctx.run(phaseSpec("RESOLVE", batched, src.type), [src.gpu, indices, state, out.gpu], params(p, g2.x, cells), g2);
  ctx.releaseScratch(state);
}
