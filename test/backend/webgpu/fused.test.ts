// The fused elementwise kernel (Backend.elementwise) against the reference interpreter: every op in a
// program, contiguous / scalar / broadcast ("walking") inputs, non-finite constants, NaN and Inf inputs,
// an input that is also read twice, and one pipeline per distinct program.
import { afterAll, describe, expect, it } from "vitest";
import { BINARY_OPS, type Broadcast, type ElementwiseProgram, type ProgramStep, UNARY_OPS } from "../../../src/backend/backend.ts";
import { programKey } from "../../../src/backend/webgpu/codegen/program.ts";
import { broadcastStrides, expectClose, randomFloats, runBoth, seeded } from "../kernel-harness.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3];
const LOOSE = { rtol: 2e-5, atol: 1e-5 };

function bc(outShape: number[], ...shapes: number[][]): Broadcast {
  return { outShape, strides: shapes.map((s) => broadcastStrides(s, outShape)) };
}

describe.skipIf(!gpu)("webgpu fused elementwise programs", () => {
  const rand = seeded(7);

  it("every unary and binary op as a step over broadcast inputs, with constants", async () => {
    const a = new Float32Array([...randomFloats(48 - SPECIALS.length, rand, -3, 3), ...SPECIALS]); // [4, 3, 4]
    const b = randomFloats(4, rand, 0.5, 2); // [1, 1, 4]: walks
    const c = randomFloats(3, rand, -1, 1); // [1, 3, 1]: walks
    const s = Float32Array.of(0.75); // [1, 1, 1]: scalar
    for (const op of UNARY_OPS) {
      // unary(a) · b + c − s: one walking input at least, constants folded in.
      const steps: ProgramStep[] = [
        { kind: "unary", op, x: 0 }, { kind: "binary", op: "mul", a: 4, b: 1 }, { kind: "binary", op: "add", a: 5, b: 2 },
        { kind: "binary", op: "sub", a: 6, b: 3 },
      ];
      const program: ElementwiseProgram = { inputs: 4, steps };
      const { got, want } = await runBoth(gpu!, [a, b, c, s], [{ dtype: "float32", size: 48 }], (be, ins, [o]) =>
        be.elementwise(program, ins, o, bc([4, 3, 4], [4, 3, 4], [1, 1, 4], [1, 3, 1], [1, 1, 1])));
      expectClose(got[0], want[0], LOOSE, `unary ${op}`);
    }
    for (const op of BINARY_OPS) {
      const program: ElementwiseProgram = { inputs: 2, steps: [
        { kind: "binary", op, a: 0, b: 1 }, { kind: "const", value: 2 }, { kind: "binary", op: "mul", a: 2, b: 3 },
      ] };
      const { got, want } = await runBoth(gpu!, [a, b], [{ dtype: "float32", size: 48 }], (be, ins, [o]) =>
        be.elementwise(program, ins, o, bc([4, 3, 4], [4, 3, 4], [1, 1, 4])));
      expectClose(got[0], want[0], op === "pow" ? LOOSE : { rtol: 1e-6 }, `binary ${op}`);
    }
  });

  it("where, non-finite constants, one buffer bound twice, and a transposed input", async () => {
    const x = new Float32Array([...randomFloats(12 - 4, rand, -2, 2), NaN, 0, -0, Infinity]); // [3, 4]
    const program: ElementwiseProgram = { inputs: 3, steps: [
      { kind: "const", value: Infinity }, { kind: "const", value: NaN },
      { kind: "binary", op: "greater", a: 0, b: 1 }, // x > (x read transposed)
      { kind: "where", cond: 5, a: 3, b: 2 }, // ? +Inf : the third input
      { kind: "where", cond: 0, a: 6, b: 4 }, // x ≠ 0 (NaN counts) ? that : NaN
    ] };
    // Input 1 reads the same data as a [4, 3] array walked transposed; input 2 is x again.
    const strides = [[4, 1], [1, 3], [4, 1]];
    const { got, want } = await runBoth(gpu!, [x, x, x], [{ dtype: "float32", size: 12 }], (be, ins, [o]) =>
      be.elementwise(program, ins, o, { outShape: [3, 4], strides }));
    expectClose(got[0], want[0], {}, "where with non-finite constants");
  });

  it("keys a pipeline by the program, its constants' bits and its inputs' access", () => {
    const p = (value: number): ElementwiseProgram => ({ inputs: 1, steps: [{ kind: "const", value }, { kind: "binary", op: "add", a: 0, b: 1 }] });
    expect(programKey({ program: p(1), access: ["contiguous"] })).not.toBe(programKey({ program: p(2), access: ["contiguous"] }));
    expect(programKey({ program: p(1), access: ["contiguous"] })).not.toBe(programKey({ program: p(1), access: ["walk"] }));
    expect(programKey({ program: p(0), access: ["scalar"] })).not.toBe(programKey({ program: p(-0), access: ["scalar"] }));
    expect(programKey({ program: p(1), access: ["contiguous"] })).toBe(programKey({ program: p(1), access: ["contiguous"] }));
  });

  it("compiles one pipeline per distinct program and reuses it", async () => {
    const program: ElementwiseProgram = { inputs: 2, steps: [{ kind: "binary", op: "mul", a: 0, b: 1 }, { kind: "unary", op: "exp", x: 2 }] };
    const [a, b, o] = [gpu!.allocate("float32", 64), gpu!.allocate("float32", 64), gpu!.allocate("float32", 64)];
    gpu!.elementwise(program, [a, b], o, bc([64], [64], [64]));
    const compiled = gpu!.pipelinesCompiled;
    for (let i = 0; i < 3; i++) gpu!.elementwise({ ...program, steps: [...program.steps] }, [a, b], o, bc([64], [64], [64]));
    expect(gpu!.pipelinesCompiled).toBe(compiled);
    await gpu!.sync();
    for (const x of [a, b, o]) gpu!.free(x);
  });
});
