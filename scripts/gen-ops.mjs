// Generates the kernels' view of the op table (src/optable/): the wasm op codes and per-op switches
// (assembly/generated/ops.ts) and the TypeScript op codes (src/generated/op-codes.ts). Fails, naming the op
// and the field, on an entry that lacks a piece. Run by scripts/build.mjs before the wasm build.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The op table as plain JavaScript (bundled from src/optable/index.ts). */
export async function loadTable() {
  const result = await esbuild.build({
    entryPoints: [join(root, "src/optable/index.ts")], bundle: true, format: "esm", write: false, platform: "neutral", logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

/**
 * Kernel sites that need the op code as a compile-time constant: each becomes a function that switches on
 * the code and calls `callee(CODE, args)`, so the callee is inlined with one op per case.
 */
const DISPATCH = [
  { from: "../elementwise", name: "unaryFor", kind: "unary", callee: "unaryLoop", params: "isInt: bool, x: usize, y: usize, n: i32", args: "isInt, x, y, n", inline: true },
  { from: "../elementwise", name: "binaryFor", kind: "binary", callee: "binaryWalk", params: "isInt: bool, outInt: bool, a: usize, b: usize, y: usize, part: i32, parts: i32", args: "isInt, outInt, a, b, y, part, parts", inline: true },
  { from: "../fused", name: "unaryStep", kind: "unary", callee: "unaryBlock", params: "x: usize, y: usize, n: i32", args: "x, y, n" },
  { from: "../fused", name: "binaryVectors", kind: "binary", callee: "binaryBlock", params: "a: usize, b: usize, y: usize, n: i32", args: "0, a, b, y, n" },
  { from: "../fused", name: "binaryScalarA", kind: "binary", callee: "binaryBlock", params: "a: usize, b: usize, y: usize, n: i32", args: "1, a, b, y, n" },
  { from: "../fused", name: "binaryScalarB", kind: "binary", callee: "binaryBlock", params: "a: usize, b: usize, y: usize, n: i32", args: "2, a, b, y, n" },
];

/** The fused kernel packs an op code in 5 bits (assembly/fused.ts). */
const MAX_OPS = 32;
const SYMBOLS = new Set([">", ">=", "<", "<=", "==", "!="]);

function fail(table, op, what) {
  throw new Error(`op table: ${table} op "${op}" ${what}`);
}

function requireType(table, op, value, path, type) {
  if (typeof value !== type) fail(table, op, `needs ${path} (a ${type}), got ${value === undefined ? "nothing" : typeof value}`);
}

/** Throws on a missing or extra entry, or an entry without its reference, gradient, WGSL or wasm form. */
export function checkTable(t) {
  for (const [name, names, rules] of [["unary", t.UNARY_OPS, t.UNARY], ["binary", t.BINARY_OPS, t.BINARY], ["reduce", t.REDUCE_OPS, t.REDUCE]]) {
    if (names.length > MAX_OPS) throw new Error(`op table: ${names.length} ${name} ops, the kernels take at most ${MAX_OPS}`);
    for (const op of names) if (!rules[op]) fail(name, op, "has no rule");
    for (const op of Object.keys(rules)) if (!names.includes(op)) fail(name, op, "has a rule but is not in names.ts");
  }
  for (const op of t.UNARY_OPS) {
    const r = t.UNARY[op];
    requireType("unary", op, r.ref, "ref", "function");
    if (r.vjp !== null) requireType("unary", op, r.vjp, "vjp (or null for a zero gradient)", "function");
    requireType("unary", op, r.wgsl, "wgsl", "function");
    requireType("unary", op, r.wasm?.f64, "wasm.f64", "string");
    if (r.int32 !== undefined) requireType("unary", op, r.int32.wgsl, "int32.wgsl", "function");
  }
  for (const op of t.BINARY_OPS) {
    const r = t.BINARY[op];
    if (r.kind === "comparison") {
      if (!SYMBOLS.has(r.symbol)) fail("binary", op, `needs a comparison symbol (${[...SYMBOLS].join(" ")}), got ${r.symbol}`);
      requireType("binary", op, r.lanes?.f32, "lanes.f32", "string");
      requireType("binary", op, r.lanes?.i32, "lanes.i32", "string");
    } else if (r.kind === "arithmetic") {
      requireType("binary", op, r.ref, "ref", "function");
      requireType("binary", op, r.vjp, "vjp", "function");
      requireType("binary", op, r.wgsl?.f32, "wgsl.f32", "function");
      requireType("binary", op, r.wgsl?.i32, "wgsl.i32", "function");
      requireType("binary", op, r.wasm?.f64, "wasm.f64", "string");
    } else fail("binary", op, `needs kind "arithmetic" or "comparison", got ${r.kind}`);
  }
  for (const op of t.REDUCE_OPS) {
    if (t.REDUCE[op].output !== "input" && t.REDUCE[op].output !== "int32") fail("reduce", op, `needs output "input" or "int32", got ${t.REDUCE[op].output}`);
  }
}

const constName = (prefix, op) => `${prefix}_${op.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase()}`;

/** `op == A || op == B ...` over the ops that pass `keep` (false when none does). */
function anyOf(prefix, ops, keep) {
  const hits = ops.filter(keep).map((op) => `op == ${constName(prefix, op)}`);
  return hits.length ? hits.join(" || ") : "false";
}

function switchOver(prefix, ops, body, fallback) {
  const cases = ops.filter((op) => body(op) !== undefined).map((op) => `    case ${constName(prefix, op)}: return ${body(op)};`);
  return `  switch (op) {\n${cases.join("\n")}\n    default: return ${fallback};\n  }`;
}

/** The exported function names of an AssemblyScript module (the helpers table entries may call). */
function exportedFunctions(path) {
  return [...readFileSync(path, "utf8").matchAll(/export function (\w+)/g)].map((m) => m[1]);
}

/** assembly/generated/ops.ts: op codes, per-op switches over the table's code, and the dispatch sites. */
export function assemblySource(t, helpers) {
  const U = t.UNARY_OPS, B = t.BINARY_OPS, R = t.REDUCE_OPS;
  const arith = B.filter((op) => t.BINARY[op].kind === "arithmetic");
  const cmp = B.filter((op) => t.BINARY[op].kind === "comparison");
  const uf = (op) => t.UNARY[op];
  const bf = (op) => t.BINARY[op];
  const codes = (prefix, ops) => ops.map((op, i) => `export const ${constName(prefix, op)}: i32 = ${i};`).join("\n");
  const sites = DISPATCH.map((s) => {
    const [prefix, ops] = s.kind === "unary" ? ["U", U] : ["B", B];
    const cases = ops.map((op) => `    case ${constName(prefix, op)}: ${s.callee}(${constName(prefix, op)}, ${s.args}); break;`).join("\n");
    return `${s.inline ? "@inline " : ""}export function ${s.name}(op: i32, ${s.params}): void {\n  switch (op) {\n${cases}\n  }\n}`;
  });
  const imports = [...new Set(DISPATCH.map((s) => s.from))].map((from) =>
    `import { ${[...new Set(DISPATCH.filter((s) => s.from === from).map((s) => s.callee))].join(", ")} } from "${from}";`);
  return `// Generated by scripts/gen-ops.mjs from src/optable/: do not edit.
// Op codes and one case per op of every elementwise switch; every function is inlined with a constant code.
${helpers.length ? `import { ${helpers.join(", ")} } from "../lanes";\n` : ""}${imports.join("\n")}

${codes("U", U)}

${codes("B", B)}

${codes("R", R)}

/** Whether a float32 unary op has a four-lane form; the others run per element in f64. */
@inline export function unaryIsVector(op: i32): bool {
  return ${anyOf("U", U, (op) => uf(op).wasm.f32x4 !== undefined)};
}

@inline export function unaryF32x4(op: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
${switchOver("U", U, (op) => uf(op).wasm.f32x4, "x")}
}

/** Any unary op on one value in f64 (the float32 scalar path and every int32 op). */
@inline export function unaryF64(op: i32, x: f64): f64 {
${switchOver("U", U, (op) => uf(op).wasm.f64, "x")}
}

/** Whether an int32 unary op has a four-lane form (the rest go through f64 and ToInt32). */
@inline export function unaryIntIsVector(op: i32): bool {
  return ${anyOf("U", U, (op) => uf(op).int32?.i32x4 !== undefined)};
}

@inline export function unaryI32x4(op: i32, x: v128): v128 {
  const zero = i32x4.splat(0);
${switchOver("U", U, (op) => uf(op).int32?.i32x4, "x")}
}

@inline export function isComparison(op: i32): bool {
  return ${anyOf("B", B, (op) => bf(op).kind === "comparison")};
}

/** Whether a binary op has a four-lane form for the input dtype (every comparison has). */
@inline export function binaryIsVector(op: i32, isInt: bool): bool {
  if (isComparison(op)) return true;
  return isInt ? ${anyOf("B", arith, (op) => bf(op).wasm.i32x4 !== undefined)} : ${anyOf("B", arith, (op) => bf(op).wasm.f32x4 !== undefined)};
}

/** A comparison's lane mask (all ones where true). */
@inline export function compareMask(op: i32, isInt: bool, a: v128, b: v128): v128 {
  if (isInt) {
${switchOver("B", cmp, (op) => `i32x4.${bf(op).lanes.i32}(a, b)`, "a").replace(/^/gm, "  ")}
  }
${switchOver("B", cmp, (op) => `f32x4.${bf(op).lanes.f32}(a, b)`, "a")}
}

/** Four lanes of an arithmetic op (one with a four-lane form for the dtype). */
@inline export function arithmeticX4(op: i32, isInt: bool, a: v128, b: v128): v128 {
  if (isInt) {
${switchOver("B", arith, (op) => bf(op).wasm.i32x4, "a").replace(/^/gm, "  ")}
  }
${switchOver("B", arith, (op) => bf(op).wasm.f32x4, "a")}
}

@inline export function compareF64(op: i32, a: f64, b: f64): bool {
${switchOver("B", cmp, (op) => `a ${bf(op).symbol} b`, "false")}
}

@inline export function arithmeticF64(op: i32, a: f64, b: f64): f64 {
${switchOver("B", arith, (op) => bf(op).wasm.f64, "a")}
}

${sites.join("\n\n")}
`;
}

/** src/generated/op-codes.ts: the same codes for the host side. */
export function codesSource(t) {
  const record = (ops) => `{ ${ops.map((op, i) => `${op}: ${i}`).join(", ")} }`;
  return `// Generated by scripts/gen-ops.mjs from src/optable/: do not edit.
import type { BinaryOp, ReduceOp, UnaryOp } from "../optable/names.ts";

/** The kernels' op codes (assembly/generated/ops.ts has the same numbers). */
export const UNARY_CODES: Readonly<Record<UnaryOp, number>> = ${record(t.UNARY_OPS)};
export const BINARY_CODES: Readonly<Record<BinaryOp, number>> = ${record(t.BINARY_OPS)};
export const REDUCE_CODES: Readonly<Record<ReduceOp, number>> = ${record(t.REDUCE_OPS)};
`;
}

/** Checks the table and writes the generated files through `write(path, text)` (build.mjs's atomic writer). */
export async function generateOps(write) {
  const table = await loadTable();
  checkTable(table);
  write(join(root, "assembly/generated/ops.ts"), assemblySource(table, exportedFunctions(join(root, "assembly/lanes.ts"))));
  write(join(root, "src/generated/op-codes.ts"), codesSource(table));
}
