import { describe, expect, it } from "vitest";
import * as ks from "../src/index.ts";


describe("grad / valueAndGrad", () => {
  it("differentiates a record of named tensors, keeping its keys", async () => {
    const g = ks.tidy(() => ks.grad((p: ks.TensorRecord) => ks.sum(ks.mul(p.a, p.b)))({ a: ks.tensor([1, 2]), b: ks.tensor([3, 4]) }));
    expect(Object.keys(g)).toEqual(["a", "b"]);
    expect(Array.from(await g.a.data())).toEqual([3, 4]);
    expect(Array.from(await g.b.data())).toEqual([1, 2]);
  });

  it("gives zero gradients to inputs the value does not depend on (no allow_unused errors)", async () => {
    const g = ks.tidy(() => ks.grad((p: ks.TensorRecord) => ks.sum(ks.square(p.used)))({ used: ks.tensor([2]), unused: ks.tensor([[1, 2], [3, 4]]) }));
    expect(g.unused.shape).toEqual([2, 2]);
    expect(Array.from(await g.unused.data())).toEqual([0, 0, 0, 0]);
    expect(Array.from(await g.used.data())).toEqual([4]);
  });

  it("composes to second and third order: d²/dx² x³ = 6x, d³/dx³ x³ = 6", async () => {
    const cube = (p: ks.TensorRecord) => ks.sum(ks.mul(ks.square(p.x), p.x));
    const first = (p: ks.TensorRecord) => ks.sum(ks.grad(cube)(p).x);
    const second = (p: ks.TensorRecord) => ks.sum(ks.grad(first)(p).x);
    const x = { x: ks.tensor([1.5, -2]) };
    const [g1, g2, g3] = ks.tidy(() => [ks.grad(cube)(x).x, ks.grad(first)(x).x, ks.grad(second)(x).x]);
    expect(Array.from(await g1.data())).toEqual([6.75, 12]);
    expect(Array.from(await g2.data())).toEqual([9, -12]);
    expect(Array.from(await g3.data())).toEqual([6, 6]);
  });

  it("createGraph: false makes an inner gradient a constant (first-order MAML)", async () => {
    // L(θ) = (θ − α·∇(θ²))² with α = 0.25: second order dL/dθ = 2(θ/2)(1/2) = θ/2; first order: θ.
    const inner = (p: ks.TensorRecord, createGraph: boolean) => ks.grad((q: ks.TensorRecord) => ks.sum(ks.square(q.t)), { createGraph })(p).t;
    const outer = (createGraph: boolean) => (p: ks.TensorRecord) => ks.sum(ks.square(ks.sub(p.t, ks.mul(inner(p, createGraph), 0.25))));
    const theta = { t: ks.tensor([2]) };
    const [second, first] = ks.tidy(() => [ks.grad(outer(true))(theta).t, ks.grad(outer(false))(theta).t]);
    expect(Array.from(await second.data())).toEqual([1]);
    expect(Array.from(await first.data())).toEqual([2]);
  });

  it("valueAndGrad returns the value, detached, and rejects non-scalar functions", async () => {
    const { value, grads } = ks.tidy(() => ks.valueAndGrad((p: ks.TensorRecord) => ks.sum(ks.exp(p.x)))({ x: ks.tensor([0, 0]) }));
    expect(await value.item()).toBe(2);
    expect(value.tracked).toBe(false);
    expect(Array.from(await grads.x.data())).toEqual([1, 1]);
    expect(() => ks.valueAndGrad((p: ks.TensorRecord) => ks.exp(p.x))({ x: ks.tensor([0, 0]) })).toThrow(/one number/);
  });

  it("rejects what is not a record of tensors", () => {
    expect(() => ks.grad((p: ks.TensorRecord) => ks.sum(p.x))([] as unknown as ks.TensorRecord)).toThrow(/record of named tensors/);
    expect(() => ks.grad((p: ks.TensorRecord) => ks.sum(p.x))({ x: 3 } as unknown as ks.TensorRecord)).toThrow(/parameter "x".*Tensor/);
  });

  it("works inside noGrad (grad always differentiates its own function)", async () => {
    const g = ks.noGrad(() => ks.tidy(() => ks.grad((p: ks.TensorRecord) => ks.sum(ks.square(p.x)))({ x: ks.tensor([3]) }).x));
    expect(Array.from(await g.data())).toEqual([6]);
  });

  it("gradients() takes a seed for vector-Jacobian products", async () => {
    const out = ks.tidy(() => {
      const [x] = ks.valueAndGradWithAux((p: ks.TensorRecord) => {
        const y = ks.mul(p.x, ks.tensor([2, 3]));
        return [ks.sum(y), ks.gradients(y, [p.x], { seed: ks.tensor([10, 100]) })] as const;
      })({ x: ks.tensor([1, 1]) }).aux;
      return x;
    });
    expect(Array.from(await out.data())).toEqual([20, 300]);
  });
});
