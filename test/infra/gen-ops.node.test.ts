// scripts/gen-ops.mjs: the op table is complete, the generator refuses an entry that lacks a piece, and
// the generated kernels' code has one case per op.
import { describe, expect, it } from "vitest";
import { assemblySource, checkTable, codesSource, loadTable } from "../../scripts/gen-ops.mjs";

type Table = Record<string, any>;
const table: Table = await loadTable();

/** The table with one field of one entry replaced. */
function edited(kind: "UNARY" | "BINARY" | "REDUCE", op: string, change: Record<string, unknown>): Table {
  return { ...table, [kind]: { ...table[kind], [op]: { ...table[kind][op], ...change } } };
}

describe("scripts/gen-ops.mjs", () => {
  it("accepts the op table as it is", () => {
    expect(() => checkTable(table)).not.toThrow();
  });

  it("rejects an entry without its gradient, WGSL, wasm form or reference, naming op and field", () => {
    expect(() => checkTable(edited("UNARY", "exp", { vjp: undefined }))).toThrow(/unary op "exp" needs vjp/);
    expect(() => checkTable(edited("UNARY", "softplus", { wgsl: undefined }))).toThrow(/unary op "softplus" needs wgsl/);
    expect(() => checkTable(edited("UNARY", "log1p", { wasm: {} }))).toThrow(/unary op "log1p" needs wasm\.f64/);
    expect(() => checkTable(edited("UNARY", "neg", { int32: {} }))).toThrow(/unary op "neg" needs int32\.wgsl/);
    expect(() => checkTable(edited("BINARY", "pow", { ref: undefined }))).toThrow(/binary op "pow" needs ref/);
    expect(() => checkTable(edited("BINARY", "less", { symbol: "=<" }))).toThrow(/binary op "less" needs a comparison symbol/);
    expect(() => checkTable(edited("REDUCE", "argmax", { output: "float32" }))).toThrow(/reduce op "argmax" needs output/);
  });

  it("rejects a name without a rule and a rule without a name", () => {
    const { exp: _exp, ...rest } = table.UNARY;
    expect(() => checkTable({ ...table, UNARY: rest })).toThrow(/unary op "exp" has no rule/);
    expect(() => checkTable({ ...table, BINARY: { ...table.BINARY, hypot: table.BINARY.add } })).toThrow(/binary op "hypot" has a rule but is not in names\.ts/);
  });

  it("generates one code and one case per op, the same codes for the host", () => {
    const source: string = assemblySource(table, ["rsqrtF32x4"]);
    table.UNARY_OPS.forEach((op: string, i: number) => {
      const name = `U_${op.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase()}`;
      expect(source).toContain(`export const ${name}: i32 = ${i};`);
      expect(source).toContain(`case ${name}: unaryLoop(${name}, isInt, x, y, n); break;`);
      expect(source).toContain(`case ${name}: return ${table.UNARY[op].wasm.f64};`);
    });
    expect(codesSource(table)).toContain(`softplus: ${table.UNARY_OPS.indexOf("softplus")}`);
  });
});
