import { describe, expect, it } from "vitest";
import * as ks from "../src/index.ts";

describe("memory: tidy, dispose and the gradient graph", () => {
  it("tidy frees what the function made except its result", () => {
    const before = ks.memory();
    const kept = ks.tidy(() => {
      const a = ks.tensor([1, 2, 3]);
      ks.exp(a);
      return { out: ks.add(a, 1) };
    });
    expect(ks.memory().tensors).toBe(before.tensors + 1);
    kept.out.dispose();
    expect(ks.memory()).toEqual(before);
  });

  it("dispose is idempotent and a disposed tensor cannot be used", () => {
    const a = ks.tensor([1]);
    a.dispose();
    a.dispose();
    expect(a.isDisposed).toBe(true);
    expect(() => ks.exp(a)).toThrow(/used after dispose/);
    expect(() => a.dataSync()).toThrow(/used after dispose/);
  });

  it("tidy refuses async functions", () => {
    expect(() => ks.tidy((async () => 1) as unknown as () => number)).toThrow(/synchronous/);
  });

  it("a tracked result keeps exactly the graph it needs, and releases it with itself", () => {
    const before = ks.memory();
    const x = ks.tensor([1, 2]);
    // Nested gradient with createGraph: the inner gradient is tracked and keeps its graph alive.
    const outer = ks.valueAndGrad((p: ks.TensorRecord) => {
      const g = ks.grad((q: ks.TensorRecord) => ks.sum(ks.mul(ks.square(q.x), q.x)))(p).x;
      return ks.sum(g);
    });
    for (let i = 0; i < 3; i++) {
      const { value, grads } = outer({ x });
      value.dispose();
      grads.x.dispose();
    }
    x.dispose();
    expect(ks.memory()).toEqual(before);
  });

  it("a MAML meta-iteration loop keeps live tensors and backend bytes flat", () => {
    const model = ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
    const algo = ks.meta.maml(model, { innerLr: 0.1, innerSteps: 2 });
    let params = algo.init(new ks.Rng(1));
    const batch = {
      support: { x: ks.tensor(new Float32Array(2 * 3 * 256).map((_, i) => Math.sin(i)), [2, 3, 1, 16, 16]), y: ks.tensor([0, 1, 2, 2, 1, 0], [2, 3], "int32") },
      query: { x: ks.tensor(new Float32Array(2 * 3 * 256).map((_, i) => Math.cos(i)), [2, 3, 1, 16, 16]), y: ks.tensor([1, 2, 0, 0, 2, 1], [2, 3], "int32") },
      ways: 3,
    };
    const samples: { tensors: number; bytes: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const next = ks.tidy(() => {
        const { grads } = algo.step(params, batch);
        return Object.fromEntries(Object.entries(params).map(([k, p]) => [k, ks.sub(p, ks.mul(grads[k], 0.01))]));
      });
      Object.values(params).forEach((p) => p.dispose());
      params = next;
      samples.push(ks.memory());
    }
    expect(samples[5]).toEqual(samples[1]);
  });
});

describe("validation at the public boundary", () => {
  it("names shapes that do not broadcast", () => {
    expect(() => ks.add(ks.zeros([2, 3]), ks.zeros([4]))).toThrow(/\[2, 3\] and \[4\] cannot be broadcast/);
  });
  it("names mismatched matmul dimensions", () => {
    expect(() => ks.matmul(ks.zeros([2, 3]), ks.zeros([4, 5]))).toThrow(/inner dimensions differ/);
  });
  it("refuses mixed dtypes", () => {
    expect(() => ks.add(ks.zeros([2]), ks.zeros([2], "int32"))).toThrow(/same dtype/);
  });
  it("refuses bad shapes and sizes", () => {
    expect(() => ks.tensor([1, 2, 3], [2, 2])).toThrow(/needs 4 values, got 3/);
    expect(() => ks.zeros([2, -1])).toThrow(/non-negative integers/);
    expect(() => ks.reshape(ks.zeros([6]), [4, -1])).toThrow(/cannot reshape/);
    expect(() => ks.conv2d(ks.zeros([1, 3, 5, 5]), ks.zeros([4, 2, 3, 3]))).toThrow(/groups/);
  });
  it("refuses tensors of another backend", () => {
    const other = new ks.ReferenceBackend();
    const foreign = ks.withBackend(other, () => ks.tensor([1]));
    if (ks.getBackendName() === "reference") {
      expect(() => ks.add(foreign, ks.tensor([1]))).toThrow(/lives on the reference backend/);
    }
    ks.withBackend(other, () => foreign.dispose());
  });
  it("propagates NaN and Inf", async () => {
    const y = ks.tidy(() => ks.log(ks.tensor([-1, 0])));
    const v = Array.from(await y.data());
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v[1]).toBe(-Infinity);
    y.dispose();
  });
  it("checkNumerics makes the op that produced a NaN or Inf throw, naming it", () => {
    if (ks.getBackendName() === "webgpu") return; // reads back synchronously: wasm and reference only
    ks.configure({ checkNumerics: true });
    try {
      expect(() => ks.tidy(() => ks.exp(ks.log(ks.tensor([1, 0]))))).toThrow(/checkNumerics: log produced -Infinity/);
    } finally {
      ks.configure({ checkNumerics: false });
    }
  });
});
