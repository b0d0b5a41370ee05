/**
 * WGSL for a fused elementwise program (shaders/fused.wgsl): one `let` per step, written with the same
 * per-op expressions as the unfused kernels (elementwise-ops.ts), so fused and unfused code compute alike.
 * Constants are baked in by bit pattern (through a private array: a non-finite constant expression would
 * be a shader-creation error), and the key names the program exactly, so one pipeline serves each program.
 */
import type { ElementwiseProgram, ProgramStep } from "../../backend.ts";
import { binaryExpr, unaryExpr, whereExpr } from "./elementwise-ops.ts";
import { broadcastWalkSource } from "./elementwise.ts";
import { shaderSource } from "./shader-source.ts";
import { specialize } from "./specialize.ts";

/** How an input is addressed: in[i] (its layout is the output's), in[0] (one value), or by walking the index. */
export type InputAccess = "contiguous" | "scalar" | "walk";

export interface ProgramShader {
  readonly program: ElementwiseProgram;
  readonly access: readonly InputAccess[];
}

const ACCESS_CODE: Record<InputAccess, string> = { contiguous: "c", scalar: "s", walk: "w" };

function f32Bits(value: number): number {
  return new Uint32Array(Float32Array.of(value).buffer)[0];
}

function stepText(s: ProgramStep): string {
  switch (s.kind) {
    case "const": return `k${f32Bits(s.value).toString(16)}`;
    case "unary": return `${s.op}(${s.x})`;
    case "binary": return `${s.op}(${s.a},${s.b})`;
    case "where": return `where(${s.cond},${s.a},${s.b})`;
  }
}

/** The pipeline key: equal keys mean equal WGSL. */
export function programKey(s: ProgramShader): string {
  return `fused:${s.access.map((a) => ACCESS_CODE[a]).join("")}:${s.program.steps.map(stepText).join(";")}`;
}

export function programSource(s: ProgramShader): string {
  const { program, access } = s;
  const n = program.inputs;
  const inputs = access
    .map((_a, j) => `@group(0) @binding(${j + 1}) var<storage, read> in${j}: array<f32>;`)
    .join("\n");
  const constants: number[] = [];
  const lines: string[] = [];
  let walk = 0;
  access.forEach((a, j) => {
    const index = a === "contiguous" ? "i" : a === "scalar" ? "0u" : `off[${walk++}]`;
    lines.push(`  let v${j} = in${j}[${index}];`);
  });
  const v = (k: number) => `v${k}`;
  program.steps.forEach((step, k) => {
    let expr: string;
    switch (step.kind) {
      case "const":
        expr = `bitcast<f32>(CONSTANTS[${constants.length}])`;
        constants.push(f32Bits(step.value));
        break;
      case "unary": expr = unaryExpr(step.op, "f32", v(step.x)); break;
      case "binary": expr = binaryExpr(step.op, "f32", "f32", v(step.a), v(step.b)); break;
      case "where": expr = whereExpr("f32", v(step.cond), v(step.a), v(step.b)); break;
    }
    lines.push(`  let v${n + k} = ${expr};`);
  });
  const constantDecl = constants.length
    ? `var<private> CONSTANTS: array<u32, ${constants.length}> = array<u32, ${constants.length}>(${constants.map((c) => `${c}u`).join(", ")});\n`
    : "";
  const body = specialize(shaderSource("fused"), {
    INPUTS: inputs,
    BODY: lines.join("\n"),
    RESULT: v(n + program.steps.length - 1),
    N_WALK: `${walk}u`,
    STRIDE_VEC4S: Math.max(1, 2 * walk),
    OUT_BINDING: n + 1,
    WALK: walk > 0,
  }, "fused.wgsl");
  return shaderSource("math") + "\n" + constantDecl + (walk > 0 ? broadcastWalkSource(walk) : "") + body;
}
