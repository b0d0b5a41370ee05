import { beforeAll, describe, expect, it } from "vitest";
import {
  BINARY_OPS, type BackendBuffer, type Broadcast, type ElementwiseProgram, type ProgramStep, UNARY_OPS,
} from "../../../src/backend/backend.ts";
import { runProgramByParts } from "../../../src/backend/wasm/fused.ts";
import { encodeProgram, FUSED_MAX_STEPS } from "../../../src/backend/wasm/program-encoding.ts";
import { backends, expectSame, outputBoth, randomFloats, rng, upload, type Pair } from "./parity.ts";

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 2, 1e-30, 3e38];

/** A random program over `inputs` inputs: every step uses earlier values; the last one is not a constant. */
function randomProgram(random: () => number, inputs: number, steps: number): ElementwiseProgram {
  const list: ProgramStep[] = [];
  const pick = (): number => Math.floor(random() * (inputs + list.length));
  for (let k = 0; k < steps; k++) {
    const r = random();
    if (r < 0.1 && k < steps - 1) list.push({ kind: "const", value: SPECIAL[Math.floor(random() * SPECIAL.length)] * (random() + 0.5) });
    else if (r < 0.4) list.push({ kind: "unary", op: UNARY_OPS[Math.floor(random() * UNARY_OPS.length)], x: pick() });
    else if (r < 0.9) list.push({ kind: "binary", op: BINARY_OPS[Math.floor(random() * BINARY_OPS.length)], a: pick(), b: pick() });
    else list.push({ kind: "where", cond: pick(), a: pick(), b: pick() });
  }
  return { inputs, steps: list };
}

/** Random output shape and, per input, broadcast strides (some axes 1), sometimes transposed. */
function randomLayout(random: () => number, inputs: number): { bc: Broadcast; sizes: number[] } {
  const rank = 1 + Math.floor(random() * 4);
  const outShape = Array.from({ length: rank }, (_, d) => 1 + Math.floor(random() * (d === rank - 1 ? 600 : 5)));
  const strides: number[][] = [];
  const sizes: number[] = [];
  for (let j = 0; j < inputs; j++) {
    const keep = outShape.map(() => random() < 0.7);
    const order = outShape.map((_, d) => d);
    if (random() < 0.3) order.reverse(); // a transposed input: strided innermost axis
    const s = new Array<number>(rank).fill(0);
    let size = 1;
    for (let i = rank - 1; i >= 0; i--) {
      const d = order[i];
      if (keep[d]) { s[d] = size; size *= outShape[d]; }
    }
    strides.push(s);
    sizes.push(size);
  }
  return { bc: { outShape, strides }, sizes };
}

function data(random: () => number, n: number): Float32Array {
  const a = randomFloats(n, random, 3);
  for (let i = 0; i < n; i += 5) a[i] = SPECIAL[Math.floor(random() * SPECIAL.length)];
  return a;
}

describe("wasm fused elementwise programs", () => {
  let pair: Pair;
  beforeAll(async () => { pair = await backends(); });

  it("match the same steps run one by one, bit for bit, and the reference", () => {
    const random = rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const inputs = 1 + Math.floor(random() * 6);
      const program = randomProgram(random, inputs, 1 + Math.floor(random() * 24));
      const { bc, sizes } = randomLayout(random, inputs);
      const size = bc.outShape.reduce((a, b) => a * b, 1);
      const host = sizes.map((n) => data(random, n));
      const xs = host.map((h) => upload(pair.wasm, h));
      const refs = host.map((h) => upload(pair.ref, h));
      const [fused, expected] = outputBoth(pair, "float32", size, 7);
      const byParts = upload(pair.wasm, new Float32Array(size));
      pair.wasm.elementwise(program, xs, fused, bc);
      runProgramByParts(pair.wasm, program, xs, byParts, bc);
      pair.ref.elementwise(program, refs, expected, bc);
      const got = pair.wasm.readSync(fused);
      const label = `trial ${trial}: ${JSON.stringify(program)} over ${JSON.stringify(bc)}`;
      expectSame(got, pair.wasm.readSync(byParts), `${label} vs by parts`);
      // exp/log/tanh/sin/cos/pow round through f64 as the reference does: equal up to NaN payloads.
      const ref = pair.ref.readSync(expected);
      for (let i = 0; i < size; i++) {
        if (Number.isNaN(ref[i])) expect(Number.isNaN(got[i]), `${label} at ${i}`).toBe(true);
        else expect(Object.is(got[i], ref[i]) || got[i] === ref[i], `${label} at ${i}: ${got[i]} vs ${ref[i]}`).toBe(true);
      }
      for (const b of [...xs, fused, byParts]) pair.wasm.free(b);
    }
  });

  it("handles scalar outputs, empty outputs, all-scalar results and scalar where operands", () => {
    const cases: { program: ElementwiseProgram; data: number[][]; bc: Broadcast }[] = [
      // rank 0: one element
      { program: { inputs: 1, steps: [{ kind: "unary", op: "exp", x: 0 }] }, data: [[0.5]], bc: { outShape: [], strides: [[]] } },
      // a result that depends only on broadcast values: one scalar per block, spread into the output
      { program: { inputs: 2, steps: [{ kind: "const", value: 3 }, { kind: "binary", op: "mul", a: 0, b: 2 }, { kind: "binary", op: "add", a: 3, b: 1 }] },
        data: [[2], [1, -1, 0.5]], bc: { outShape: [3, 200], strides: [[0, 0], [1, 0]] } },
      // where with a scalar condition per row and vector branches; rows long enough for scalar rows
      { program: { inputs: 3, steps: [{ kind: "binary", op: "greater", a: 0, b: 0 }, { kind: "where", cond: 0, a: 1, b: 2 }] },
        data: [[1, 0, NaN], Array.from({ length: 300 }, (_, i) => i), Array.from({ length: 300 }, (_, i) => -i)],
        bc: { outShape: [3, 100], strides: [[1, 0], [100, 1], [100, 1]] } },
      // empty output
      { program: { inputs: 1, steps: [{ kind: "unary", op: "neg", x: 0 }] }, data: [[]], bc: { outShape: [0, 4], strides: [[4, 1]] } },
    ];
    for (const { program, data: host, bc } of cases) {
      const size = bc.outShape.reduce((a, b) => a * b, 1);
      const xs = host.map((h) => upload(pair.wasm, Float32Array.from(h)));
      const refs = host.map((h) => upload(pair.ref, Float32Array.from(h)));
      const [out, expected] = outputBoth(pair, "float32", size);
      const before = pair.wasm.counters.dispatches;
      pair.wasm.elementwise(program, xs, out, bc);
      expect(pair.wasm.counters.dispatches - before).toBe(1);
      pair.ref.elementwise(program, refs, expected, bc);
      expectSame(pair.wasm.readSync(out), pair.ref.readSync(expected), JSON.stringify(program));
      for (const b of [...xs, out]) pair.wasm.free(b);
    }
  });

  it("runs a long chain in one kernel call with few scratch slots", () => {
    const steps: ProgramStep[] = [];
    for (let k = 0; k < FUSED_MAX_STEPS; k++) steps.push({ kind: "binary", op: k % 2 ? "mul" : "add", a: k, b: 0 });
    const program: ElementwiseProgram = { inputs: 1, steps };
    const x = upload(pair.wasm, new Float32Array([1, 2, 3, 0.5, -1]));
    const out = upload(pair.wasm, new Float32Array(5));
    const byParts = upload(pair.wasm, new Float32Array(5));
    const before = pair.wasm.counters.dispatches;
    pair.wasm.elementwise(program, [x], out, { outShape: [5], strides: [[1]] });
    expect(pair.wasm.counters.dispatches - before).toBe(1);
    runProgramByParts(pair.wasm, program, [x], byParts, { outShape: [5], strides: [[1]] });
    expectSame(pair.wasm.readSync(out), pair.wasm.readSync(byParts), "long chain");
    for (const b of [x, out, byParts]) pair.wasm.free(b);
  });

  it("leaves programs it cannot take to the step-by-step path, and rejects int32 programs", () => {
    const words = new Int32Array(1024);
    const tooLong: ElementwiseProgram = { inputs: 1, steps: Array.from({ length: FUSED_MAX_STEPS + 1 }, () => ({ kind: "unary", op: "neg", x: 0 }) as const) };
    expect(encodeProgram(tooLong, [16], words, 0)).toBe(false);
    expect(encodeProgram({ inputs: 1, steps: [{ kind: "const", value: 1 }] }, [16], words, 0)).toBe(false);
    expect(encodeProgram({ inputs: 1, steps: [{ kind: "unary", op: "neg", x: 1 }] }, [16], words, 0)).toBe(false);
    // int32 values are outside the kernel's contract (float inputs of one dtype), on every backend.
    const x: BackendBuffer = upload(pair.wasm, new Int32Array([3, -4, 5]));
    const out = upload(pair.wasm, new Int32Array(3));
    const program: ElementwiseProgram = { inputs: 1, steps: [{ kind: "unary", op: "neg", x: 0 }, { kind: "binary", op: "add", a: 1, b: 0 }] };
    expect(() => pair.wasm.elementwise(program, [x], out, { outShape: [3], strides: [[1]] })).toThrow(/expected float buffers/);
    pair.wasm.free(x);
    pair.wasm.free(out);
  });
});
