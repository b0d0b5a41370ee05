/** Fills shaders/elementwise.wgsl for one expression over typed inputs (code generation only). */
import { shaderSource } from "./shader-source.ts";
import type { ScalarType } from "./elementwise-ops.ts";
import { specialize } from "./specialize.ts";

export interface ElementwiseShader {
  /** Element types of in0, in1, ... (at most 3). */
  readonly inputs: readonly ScalarType[];
  readonly out: ScalarType;
  /** The value of out[i], over x0, x1, ... */
  readonly expr: string;
  /** Every input has the output's layout: no index walk. */
  readonly contiguous: boolean;
}

export const MAX_ELEMENTWISE_INPUTS = 3;

export function elementwiseSource(s: ElementwiseShader): string {
  const n = s.inputs.length;
  const inputs = s.inputs
    .map((t, j) => `@group(0) @binding(${j + 1}) var<storage, read> in${j}: array<${t}>;`)
    .join("\n");
  const loads = s.inputs.map((_t, j) => `  let x${j} = in${j}[off[${j}]];`).join("\n");
  const body = specialize(shaderSource("elementwise"), {
    INPUTS: inputs,
    LOADS: loads,
    EXPR: s.expr,
    N_INPUTS: `${n}u`,
    OUT_TYPE: s.out,
    OUT_BINDING: n + 1,
    CONTIGUOUS: s.contiguous,
  }, "elementwise.wgsl");
  return shaderSource("math") + "\n" + (s.contiguous ? "" : broadcastWalkSource(n)) + body;
}

/** shaders/broadcast_walk.wgsl for `inputs` walking inputs: `broadcast_offsets(i)`, shared with fused programs. */
export function broadcastWalkSource(inputs: number): string {
  return specialize(shaderSource("broadcast_walk"), { N_WALK: `${inputs}u` }, "broadcast_walk.wgsl") + "\n";
}
