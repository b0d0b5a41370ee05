/**
 * Fusion: a chain of elementwise ops as ONE op and one backend kernel (`Backend.elementwise`). The chain is
 * built with a ProgramBuilder over the op's inputs; every step rounds to the dtype as the unfused op would,
 * so a fused chain computes what the same ops one by one compute (bit-identically on wasm and reference).
 * The VJP is derived symbolically from the program, with the same rules as the unfused ops' VJPs, and each
 * input's cotangent is again one fused op: backward passes fuse too, and gradients stay differentiable.
 */
import {
  type BinaryOp, type ElementwiseProgram, MAX_PROGRAM_INPUTS, type ProgramStep, stepOperands, type UnaryOp,
} from "../backend/backend.ts";
import { isFloat } from "../dtype.ts";
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { BINARY, type OpAlgebra, UNARY } from "../optable/index.ts";
import { broadcastShapes, broadcastStrides, sameShape, type Shape } from "../shape.ts";
import { aliasOf, emptyTensor, type Tensor } from "../tensor.ts";
import { broadcastTo, sumTo } from "./broadcast.ts";
import { checkFinite, scalar } from "./creation.ts";
import * as ew from "./elementwise.ts";

/** A value in a program being built. */
export class FusedValue {
  constructor(readonly id: number) {}
}

type Arg = FusedValue | number;

/** Builds an ElementwiseProgram step by step; identical steps are shared (common subexpressions). */
export class ProgramBuilder {
  private readonly steps: ProgramStep[] = [];
  private readonly memo = new Map<string, FusedValue>();

  constructor(readonly inputs: number) {}

  input(j: number): FusedValue {
    if (!Number.isInteger(j) || j < 0 || j >= this.inputs) throw new KshotError(`fused: expected an input index in [0, ${this.inputs}), got ${j}`);
    return new FusedValue(j);
  }

  constant(value: number): FusedValue {
    return this.push(`k${value}`, { kind: "const", value });
  }

  unary(op: UnaryOp, x: Arg): FusedValue {
    const v = this.arg(x);
    return this.push(`${op}(${v})`, { kind: "unary", op, x: v });
  }

  binary(op: BinaryOp, a: Arg, b: Arg): FusedValue {
    const [va, vb] = [this.arg(a), this.arg(b)];
    return this.push(`${op}(${va},${vb})`, { kind: "binary", op, a: va, b: vb });
  }

  /** cond ≠ 0 ? a : b. */
  where(cond: Arg, a: Arg, b: Arg): FusedValue {
    const [c, va, vb] = [this.arg(cond), this.arg(a), this.arg(b)];
    return this.push(`where(${c},${va},${vb})`, { kind: "where", cond: c, a: va, b: vb });
  }

  add = (a: Arg, b: Arg): FusedValue => this.binary("add", a, b);
  sub = (a: Arg, b: Arg): FusedValue => this.binary("sub", a, b);
  mul = (a: Arg, b: Arg): FusedValue => this.binary("mul", a, b);
  div = (a: Arg, b: Arg): FusedValue => this.binary("div", a, b);
  neg = (x: Arg): FusedValue => this.unary("neg", x);
  sqrt = (x: Arg): FusedValue => this.unary("sqrt", x);
  square = (x: Arg): FusedValue => this.unary("square", x);
  step = (x: Arg): FusedValue => this.unary("step", x);

  /** The step a value number names (undefined for inputs). */
  stepOf(v: number): ProgramStep | undefined {
    return this.steps[v - this.inputs];
  }

  /**
   * The program computing `result`, without the steps and inputs it does not need. `used` lists the
   * original input indices the program's inputs stand for, in order.
   */
  finish(result: FusedValue): { program: ElementwiseProgram; used: number[] } {
    const n = this.inputs;
    const live = new Set<number>([result.id]);
    for (let v = n + this.steps.length - 1; v >= n; v--) {
      if (!live.has(v)) continue;
      for (const operand of stepOperands(this.steps[v - n])) live.add(operand);
    }
    const used = [...live].filter((v) => v < n).sort((a, b) => a - b);
    const renumber = new Map<number, number>(used.map((v, j) => [v, j]));
    const steps: ProgramStep[] = [];
    for (let v = n; v < n + this.steps.length; v++) {
      if (!live.has(v)) continue;
      renumber.set(v, used.length + steps.length);
      steps.push(remap(this.steps[v - n], (k) => renumber.get(k)!));
    }
    // A result that is an input needs no step; callers get it back through `used` and an empty program.
    return { program: { inputs: used.length, steps }, used };
  }

  private arg(x: Arg): number {
    return typeof x === "number" ? this.constant(x).id : x.id;
  }

  private push(key: string, step: ProgramStep): FusedValue {
    const hit = this.memo.get(key);
    if (hit) return hit;
    const v = new FusedValue(this.inputs + this.steps.length);
    this.steps.push(step);
    this.memo.set(key, v);
    return v;
  }
}

function remap(s: ProgramStep, f: (v: number) => number): ProgramStep {
  switch (s.kind) {
    case "const": return s;
    case "unary": return { ...s, x: f(s.x) };
    case "binary": return { ...s, a: f(s.a), b: f(s.b) };
    case "where": return { ...s, cond: f(s.cond), a: f(s.a), b: f(s.b) };
  }
}

/**
 * One fused op: `build` writes the chain over the inputs' values, e.g.
 * `fused("sgd", [p, g], (f, p, g) => f.sub(p, f.mul(g, lr)))`. Inputs share one float dtype and broadcast.
 */
export function fused(name: string, inputs: readonly Tensor[], build: (f: ProgramBuilder, ...xs: FusedValue[]) => FusedValue): Tensor {
  if (inputs.length === 0) throw new KshotError(`${name}: expected at least one input tensor, got none`);
  inputs.forEach((t, j) => checkInput(name, t, `input ${j}`));
  const dtype = inputs[0].dtype;
  if (!isFloat(dtype) || inputs.some((t) => t.dtype !== dtype)) {
    throw new KshotError(`${name}: expected float inputs of one dtype, got ${inputs.map((t) => t.dtype).join(", ")}`);
  }
  const outShape = broadcastShapes(name, ...inputs.map((t) => t.shape));
  const f = new ProgramBuilder(inputs.length);
  const { program, used } = f.finish(build(f, ...inputs.map((_t, j) => f.input(j))));
  const operands = used.map((j) => inputs[j]);
  // A chain that returns one of its inputs: a new handle on it, as an op's result always is.
  if (program.steps.length === 0 && sameShape(operands[0].shape, outShape)) return aliasOf(operands[0]);
  return applyProgram(name, program, operands, outShape);
}

/**
 * `fused` over named inputs, some possibly absent (optional state, an optional mask): `build` sees the
 * present ones by name. Inputs the chain does not use are dropped before the kernel runs.
 */
export function fusedRecord<K extends string>(
  name: string,
  inputs: Readonly<Record<K, Tensor | undefined>>,
  build: (f: ProgramBuilder, x: Readonly<Partial<Record<K, FusedValue>>>) => FusedValue,
): Tensor {
  const names = (Object.keys(inputs) as K[]).filter((k) => inputs[k] !== undefined);
  return fused(name, names.map((k) => inputs[k]!), (f, ...values) => {
    const byName: Partial<Record<K, FusedValue>> = {};
    names.forEach((k, j) => (byName[k] = values[j]));
    return build(f, byName);
  });
}

/** Runs a finished program on its inputs as one kernel (unfused past MAX_PROGRAM_INPUTS inputs), and records its VJP. */
export function applyProgram(name: string, program: ElementwiseProgram, inputs: readonly Tensor[], outShape: Shape): Tensor {
  if (program.steps.length === 0) return broadcastTo(inputs[0], outShape);
  if (inputs.length > MAX_PROGRAM_INPUTS) return runUnfused(program, inputs, outShape);
  const y = emptyTensor(outShape, inputs[0].dtype);
  const strides = inputs.map((t) => broadcastStrides(t.shape, outShape));
  backend().elementwise(program, inputs.map((t) => t.buffer), y.buffer, { outShape, strides });
  checkFinite(name, y);
  return record(name, y, inputs, (g, _out, needs) => inputs.map((t, j) => {
    if (!needs[j]) return null;
    const adjoint = adjointProgram(program, j);
    if (!adjoint) return null;
    const operands = adjoint.used.map((k) => (k < inputs.length ? inputs[k] : g));
    return sumTo(applyProgram(`${name}'`, adjoint.program, operands, outShape), t.shape);
  }));
}

/**
 * The program of input j's cotangent: inputs are the program's inputs then g, the output's cotangent.
 * Reverse mode over the steps with the unfused ops' VJP rules; null where j does not reach the output.
 */
export function adjointProgram(program: ElementwiseProgram, j: number): { program: ElementwiseProgram; used: number[] } | null {
  const n = program.inputs;
  const f = new ProgramBuilder(n + 1);
  const value: FusedValue[] = [];
  for (let k = 0; k < n; k++) value.push(f.input(k));
  for (const s of program.steps) {
    const v = (k: number) => value[k];
    switch (s.kind) {
      case "const": value.push(f.constant(s.value)); break;
      case "unary": value.push(f.unary(s.op, v(s.x))); break;
      case "binary": value.push(f.binary(s.op, v(s.a), v(s.b))); break;
      case "where": value.push(f.where(v(s.cond), v(s.a), v(s.b))); break;
    }
  }
  const adjoints = new Map<number, FusedValue>([[n + program.steps.length - 1, f.input(n)]]);
  const give = (k: number, c: FusedValue | null) => {
    if (!c) return;
    const prev = adjoints.get(k);
    adjoints.set(k, prev ? f.add(prev, c) : c);
  };
  for (let k = program.steps.length - 1; k >= 0; k--) {
    const g = adjoints.get(n + k);
    if (!g) continue;
    const s = program.steps[k];
    const y = value[n + k];
    switch (s.kind) {
      case "const": break;
      case "unary": give(s.x, unaryAdjoint(f, s.op, g, value[s.x], y)); break;
      case "binary": {
        const [ga, gb] = binaryAdjoint(f, s.op, g, value[s.a], value[s.b], y);
        give(s.a, ga);
        give(s.b, gb);
        break;
      }
      case "where":
        give(s.a, f.where(value[s.cond], g, 0));
        give(s.b, f.where(value[s.cond], 0, g));
        break;
    }
  }
  const result = adjoints.get(j);
  return result ? f.finish(result) : null;
}

/** A program being built as an OpAlgebra: the op table's gradient rules write fused steps through it. */
export function builderAlgebra(f: ProgramBuilder): OpAlgebra<FusedValue, UnaryOp, BinaryOp> {
  return { unary: (op, x) => f.unary(op, x), binary: (op, a, b) => f.binary(op, a, b), where: (c, a, b) => f.where(c, a, b) };
}

/** The unfused unary VJP (the op table's rule), step for step. */
function unaryAdjoint(f: ProgramBuilder, op: UnaryOp, g: FusedValue, x: FusedValue, y: FusedValue): FusedValue | null {
  return UNARY[op].vjp?.(builderAlgebra(f), g, x, y) ?? null;
}

/** The unfused binary VJP (the op table's rule), step for step (before summing over broadcast axes). */
function binaryAdjoint(f: ProgramBuilder, op: BinaryOp, g: FusedValue, a: FusedValue, b: FusedValue, y: FusedValue): [FusedValue | null, FusedValue | null] {
  const rule = BINARY[op];
  return rule.kind === "comparison" ? [null, null] : rule.vjp(builderAlgebra(f), g, a, b, y, [true, true]);
}

/** The program as the unfused ops, one op per step (too many inputs for one kernel; also the tests' yardstick). */
export function runUnfused(program: ElementwiseProgram, inputs: readonly Tensor[], outShape: Shape): Tensor {
  return tidy(() => {
    const values: Tensor[] = [...inputs];
    const dtype = inputs[0].dtype;
    for (const s of program.steps) {
      switch (s.kind) {
        case "const": values.push(scalar(s.value, dtype)); break;
        case "unary": values.push(ew.unaryOp(s.op, values[s.x])); break;
        case "binary": values.push(ew.binaryOp(s.op, values[s.a], values[s.b])); break;
        case "where": values.push(ew.where(values[s.cond], values[s.a], values[s.b])); break;
      }
    }
    const result = values[values.length - 1];
    return sameShape(result.shape, outShape) ? result : broadcastTo(result, outShape);
  });
}
