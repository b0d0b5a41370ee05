/** unary, binary and where: one generated elementwise kernel each, over broadcast strides. */
import type { BinaryOp, Broadcast, UnaryOp } from "../../backend.ts";
import { binaryExpr, type ScalarType, unaryExpr, whereExpr } from "../codegen/elementwise-ops.ts";
import { elementwiseSource, type ElementwiseShader } from "../codegen/elementwise.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";
import { collapseAxes, isContiguous } from "../strided-shape.ts";

const WG = 64;

export interface Operand {
  readonly gpu: GPUBuffer;
  readonly type: ScalarType;
}

export function unary(ctx: KernelContext, op: UnaryOp, x: Operand, out: Operand, size: number): void {
  const expr = unaryExpr(op, x.type, "x0");
  run(ctx, `unary:${op}`, [x], out, expr, { outShape: [size], strides: [[1]] });
}

export function binary(ctx: KernelContext, op: BinaryOp, a: Operand, b: Operand, out: Operand, bc: Broadcast): void {
  const expr = binaryExpr(op, a.type, out.type, "x0", "x1");
  run(ctx, `binary:${op}`, [a, b], out, expr, bc);
}

export function where(ctx: KernelContext, cond: Operand, a: Operand, b: Operand, out: Operand, bc: Broadcast): void {
  const expr = whereExpr(cond.type, "x0", "x1", "x2");
  run(ctx, "where", [cond, a, b], out, expr, bc);
}

function run(ctx: KernelContext, name: string, inputs: readonly Operand[], out: Operand, expr: string, bc: Broadcast): void {
  const collapsed = collapseAxes(bc.outShape, bc.strides);
  const size = collapsed.shape.reduce((p, e) => p * e, 1);
  if (size === 0) return;
  const shader: ElementwiseShader = {
    inputs: inputs.map((x) => x.type),
    out: out.type,
    expr,
    contiguous: isContiguous(collapsed),
  };
  const key = `elementwise:${name}:${shader.inputs.join(",")}>${shader.out}:${shader.contiguous ? "c" : "s"}`;
  const grid = gridFor(Math.ceil(size / WG), ctx.maxWorkgroupsPerDimension);
  // Params layout of elementwise.wgsl: size, rank, groups_x, value, shape[8], strides[3][8].
  const p = new ParamWords(36).u32(0, size).u32(1, collapsed.shape.length).u32(2, grid.x).list(4, collapsed.shape);
  collapsed.strides.forEach((s, j) => p.list(12 + 8 * j, s));
  ctx.run(
    { key, source: () => elementwiseSource(shader), reads: inputs.length, writes: 1 },
    [...inputs.map((x) => x.gpu), out.gpu],
    p.words,
    grid,
  );
}
