// Fused elementwise ops: forward against the float64 oracle and against the same ops unfused (bit for bit
// where the backend promises it), gradients and Hessian-vector products of the derived VJPs, one kernel
// per chain, and the unfused fallback past the input limit.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { activeFloat, type GradientCase, input, itChecksGradients } from "../support/gradcheck.ts";


const cases: GradientCase[] = [
  {
    name: "sgd step p − g·lr",
    f: ([p, g]) => ks.fused("sgd", [p, g], (f, p, g) => f.sub(p, f.mul(g, 0.4))),
    inputs: [input([3, 4], 1), input([3, 4], 2)],
  },
  {
    name: "Meta-SGD step with per-parameter rates (broadcast)",
    f: ([p, g, lr]) => ks.fused("metasgd", [p, g, lr], (f, p, g, lr) => f.sub(p, f.mul(g, lr))),
    inputs: [input([2, 3, 4], 3), input([2, 3, 4], 4), input([3, 1], 5, 0.1, 1)],
  },
  {
    name: "Adam-like update m / (√v / r + ε) · s",
    f: ([p, m, v, r, s]) => ks.fused("adam", [p, m, v, r, s], (f, p, m, v, r, s) => f.sub(p, f.mul(f.div(m, f.add(f.div(f.sqrt(v), r), 1e-3)), s))),
    inputs: [input([4, 3], 6), input([4, 3], 7), input([4, 3], 8, 0.5, 2), input([], 9, 0.5, 1), input([1], 10, 0.5, 1)],
  },
  {
    name: "normalise-scale-shift (x − μ)·rsqrt(σ² + ε)·γ + β",
    f: ([x, mu, v, gm, b]) => ks.fused("bn", [x, mu, v, gm, b], (f, x, mu, v, gm, b) =>
      f.add(f.mul(f.sub(x, mu), f.mul(f.unary("rsqrt", f.add(v, 1e-5)), gm)), b)),
    inputs: [input([2, 3, 2, 2], 11), input([1, 3, 1, 1], 12), input([1, 3, 1, 1], 13, 0.5, 2), input([1, 3, 1, 1], 14), input([1, 3, 1, 1], 15)],
  },
  {
    name: "a value used several times: x·tanh(x) + sigmoid(x)²",
    f: ([x]) => ks.fused("multi", [x], (f, x) => f.add(f.mul(x, f.unary("tanh", x)), f.square(f.unary("sigmoid", x)))),
    inputs: [input([5, 2], 16, -2, 2)],
  },
  {
    name: "where, maximum, exp, log, pow, sin, cos, reciprocal",
    f: ([a, b]) => ks.fused("mix", [a, b], (f, a, b) => {
      const w = f.where(f.binary("greater", a, 0), f.unary("exp", a), f.unary("log", f.add(f.square(b), 1)));
      const trig = f.mul(f.unary("sin", a), f.unary("cos", b));
      return f.add(f.add(f.binary("max", w, b), trig), f.add(f.binary("pow", f.add(f.square(a), 1), b), f.unary("reciprocal", f.add(f.square(b), 1))));
    }),
    inputs: [input([3, 4], 17), input([4], 18)],
  },
];

describe("fused elementwise ops", () => {
  for (const c of cases) itChecksGradients(c);

  it("computes what the same ops unfused compute (bit for bit on wasm and reference)", async () => {
    const dtype = activeFloat();
    const xs = [input([3, 4], 21), input([4], 22, 0.5, 2), input([3, 1], 23)].map((i) => ks.tensor(i.values, i.shape, dtype));
    const chain = (f: ks.ProgramBuilder, a: ks.FusedValue, b: ks.FusedValue, c: ks.FusedValue) =>
      f.add(f.mul(f.div(f.sqrt(b), f.add(f.square(a), 0.1)), c), f.where(f.binary("less", a, c), f.unary("tanh", a), f.unary("exp", c)));
    const fusedOut = ks.fused("t", xs, chain);
    const [a, b, c] = xs;
    const unfused = ks.add(ks.mul(ks.div(ks.sqrt(b), ks.add(ks.square(a), 0.1)), c), ks.where(ks.less(a, c), ks.tanh(a), ks.exp(c)));
    const [got, want] = [Array.from(await fusedOut.data()), Array.from(await unfused.data())];
    if (ks.getBackendName() === "webgpu") got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i]))));
    else expect(got).toEqual(want);
    ks.tidy(() => [...xs, fusedOut, unfused].forEach((t) => t.dispose()));
  });

  it("runs a chain as one kernel, and each input's cotangent as one more", () => {
    const dtype = activeFloat();
    const [p, g] = [ks.tensor([1, 2, 3], [3], dtype), ks.tensor([0.5, -1, 2], [3], dtype)];
    const counters = ks.backendInUse().counters;
    const before = counters.dispatches;
    const y = ks.fused("chain", [p, g], (f, p, g) => f.sub(p, f.mul(f.div(g, f.add(f.sqrt(f.square(g)), 1e-3)), 0.1)));
    if (ks.getBackendName() !== "wasm") expect(counters.dispatches - before).toBe(1);
    const loss = (r: ks.TensorRecord) => ks.sum(ks.fused("chain", [r.p, r.g], (f, p, g) => f.mul(f.square(p), g)));
    const grads = Object.values(ks.grad(loss)({ p, g }));
    expect(grads.map((t) => t.shape)).toEqual([[3], [3]]);
    ks.tidy(() => [p, g, y, ...grads].forEach((t) => t.dispose()));
  });

  it("propagates NaN and Inf like the unfused ops", async () => {
    const dtype = activeFloat();
    const x = ks.tensor([NaN, Infinity, -Infinity, 0, -1], [5], dtype);
    const y = ks.fused("nan", [x], (f, x) => f.add(f.binary("max", x, 0), f.unary("sqrt", x)));
    const v = Array.from(await y.data());
    expect(v[0]).toBeNaN();
    expect(v[1]).toBe(Infinity);
    expect(v[2]).toBeNaN(); // max(−∞, 0) + sqrt(−∞) = 0 + NaN
    expect(v[3]).toBe(0);
    expect(v[4]).toBeNaN();
    ks.tidy(() => [x, y].forEach((t) => t.dispose()));
  });

  it("falls back to the unfused ops past the input limit, with the same values", async () => {
    const dtype = activeFloat();
    const xs = Array.from({ length: 8 }, (_, j) => ks.tensor(input([2, 3], 30 + j).values, [2, 3], dtype));
    const y = ks.fused("wide", xs, (f, ...v) => v.reduce((acc, x) => f.add(f.mul(acc, 0.5), x)));
    const want = xs.reduce((acc, x) => ks.add(ks.mul(acc, 0.5), x));
    expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
    ks.tidy(() => [...xs, y, want].forEach((t) => t.dispose()));
  });

  it("refuses mixed dtypes and empty input lists with a KshotError", () => {
    const a = ks.tensor([1, 2], [2], activeFloat());
    const i = ks.tensor([1, 2], [2], "int32");
    expect(() => ks.fused("bad", [a, i], (f, a, i) => f.add(a, i))).toThrow(ks.KshotError);
    expect(() => ks.fused("bad", [], (f) => f.constant(1))).toThrow(/at least one input/);
    ks.tidy(() => [a, i].forEach((t) => t.dispose()));
  });
});
