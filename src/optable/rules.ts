/**
 * The shape of an op-table entry. Every elementwise op is declared once (unary.ts, binary.ts, reduce.ts)
 * with everything each layer needs: its reference semantics (the reference backend), its gradient written
 * as ops (autodiff, fused or not), its WGSL expression (WebGPU) and its AssemblyScript code (wasm, turned
 * into kernels by scripts/gen-ops.mjs at build time). The tables are typed `{ [P in Op]: Rule }`, so an op
 * without a gradient, a shader or a kernel does not compile, and the generator rejects an incomplete entry.
 */

/** A WGSL expression over operand expressions (they compose: a fused chain nests them). */
export type WgslUnary = (x: string) => string;
export type WgslBinary = (a: string, b: string) => string;

/**
 * The ops a gradient rule is written with, over values V: tensors (the unfused ops) or the values of a fused
 * program being built. A number operand is a constant of the other operand's dtype.
 */
export interface OpAlgebra<V, U extends string = string, B extends string = string> {
  unary(op: U, x: V): V;
  binary(op: B, a: V | number, b: V | number): V;
  where(cond: V, a: V | number, b: V | number): V;
}

/**
 * AssemblyScript code of a float32 kernel case. `f64` is an expression over `x: f64` (and `a`, `b` for
 * binary ops) computed as the reference does, in f64, and rounded once to f32 by the caller. `f32x4`, when
 * given, is the same operation on four lanes (`x: v128`, with `zero` and `one` splats in scope); it must
 * round exactly as the f64 form does, element by element.
 */
export interface WasmUnary {
  readonly f64: string;
  readonly f32x4?: string;
}

/** The int32 form of a unary op: its presence is what lets the op take int32 tensors. */
export interface IntUnary {
  /** WGSL over an i32 operand. */
  readonly wgsl: WgslUnary;
  /** Four int32 lanes (`x: v128`, `zero` in scope); without it wasm computes `f64` and applies ToInt32. */
  readonly i32x4?: string;
}

export interface UnaryRule<U extends string, B extends string> {
  /** One element, as the reference backend computes it (in float64, then stored in the dtype). */
  readonly ref: (x: number) => number;
  /** g·dy/dx written with ops (y is the op's output); null: the op has a zero gradient. */
  readonly vjp: (<V>(m: OpAlgebra<V, U, B>, g: V, x: V, y: V) => V) | null;
  /** The op's gradient runs as one fused kernel rather than op by op (for the hottest rules). */
  readonly fuseVjp?: true;
  /** WGSL over an f32 operand. */
  readonly wgsl: WgslUnary;
  readonly wasm: WasmUnary;
  readonly int32?: IntUnary;
}

export interface WasmBinary {
  readonly f64: string;
  /** Four float32 lanes (`a`, `b`: v128); absent: element by element through `f64`. */
  readonly f32x4?: string;
  /** Four int32 lanes; absent: element by element through `f64` and ToInt32. */
  readonly i32x4?: string;
}

/** An arithmetic op: out has the inputs' dtype. */
export interface ArithmeticRule<U extends string, B extends string> {
  readonly kind: "arithmetic";
  readonly ref: (a: number, b: number) => number;
  /** [ga, gb] before summing over broadcast axes (y is the output); `needs` says which are wanted. */
  readonly vjp: <V>(m: OpAlgebra<V, U, B>, g: V, a: V, b: V, y: V, needs: readonly boolean[]) => [V | null, V | null];
  readonly wgsl: { readonly f32: WgslBinary; readonly i32: WgslBinary };
  readonly wasm: WasmBinary;
}

/** The lane-mask instruction names of a comparison (f32x4.gt, i32x4.gt_s, ...). */
export interface CompareLanes {
  readonly f32: string;
  readonly i32: string;
}

/** A comparison: 1 or 0 in a float dtype (the operands' own, or float32 for int32 operands); no gradient. */
export interface ComparisonRule {
  readonly kind: "comparison";
  /** The infix operator, the same in TypeScript, WGSL and AssemblyScript (`==`, `!=` on numbers). */
  readonly symbol: ">" | ">=" | "<" | "<=" | "==" | "!=";
  readonly lanes: CompareLanes;
}

export type BinaryRule<U extends string, B extends string> = ArithmeticRule<U, B> | ComparisonRule;

/** A reduction over one axis run: its output dtype and its place in the kernels' code. */
export interface ReduceRule {
  /** "input": the input's dtype; "int32": an index. */
  readonly output: "input" | "int32";
}
