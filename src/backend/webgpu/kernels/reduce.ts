/** sum / max / min / argmax over the middle axis of [outer, reduce, inner]. */
import type { ReduceOp } from "../../backend.ts";
import { shaderSource } from "../codegen/shader-source.ts";
import { specialize } from "../codegen/specialize.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";
import type { Operand } from "./elementwise-kernels.ts";

const COLUMN_WG = 64;
/** Below this many outputs a workgroup per output (tree reduction) beats a thread per output. */
const ROW_OUTPUTS_LIMIT = 2048;

export function reduce(ctx: KernelContext, op: ReduceOp, x: Operand, out: Operand, outer: number, size: number, inner: number): void {
  const outputs = outer * inner;
  if (outputs === 0) return;
  // A workgroup per output pays off when each output sums a long row and there are few outputs.
  const row = size > 64 && (inner === 1 || outputs < ROW_OUTPUTS_LIMIT);
  // The tree halves the workgroup each step: a power of two.
  const wg = row ? 2 ** Math.floor(Math.log2(Math.min(256, ctx.maxInvocationsPerWorkgroup))) : COLUMN_WG;
  const defines = {
    T: x.type,
    OUT_T: out.type,
    WG: `${wg}u`,
    MIN_FLAG: op === "min",
    ROW: row,
    FLOAT: x.type === "f32",
    SUM: op === "sum",
    MAX: op === "max",
    MIN: op === "min",
    ARGMAX: op === "argmax",
  };
  const grid = gridFor(row ? outputs : Math.ceil(outputs / COLUMN_WG), ctx.maxWorkgroupsPerDimension);
  ctx.run(
    {
      key: `reduce:${op}:${x.type}:${row ? `row${wg}` : "column"}`,
      source: () => shaderSource("math") + "\n" + specialize(shaderSource("reduce"), defines, "reduce.wgsl"),
      reads: 1,
      writes: 1,
    },
    [x.gpu, out.gpu],
    new ParamWords(4).u32(0, outer).u32(1, size).u32(2, inner).u32(3, grid.x).words,
    grid,
  );
}
