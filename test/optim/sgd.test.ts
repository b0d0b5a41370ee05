import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { sgd } from "../../src/optim/sgd.ts";
import type { TensorRecord } from "../../src/autograd.ts";

const values = (t: ks.Tensor) => Array.from(t.dataSync());

describe("sgd", () => {
  it("takes plain steps θ − lr·g", () => {
    const opt = sgd({ lr: 0.5 });
    const p = opt.update({ w: ks.tensor(new Float64Array([1, 2])) }, { w: ks.tensor(new Float64Array([0.2, -4])) });
    expect(values(p.w!)).toEqual([0.9, 4]);
    expect(Object.keys(opt.stateTensors())).toEqual([]);
  });

  it("uses PyTorch's momentum (buffer starts at the gradient) and weight decay", () => {
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    let p: TensorRecord = { w: ks.tensor(new Float64Array([1])) };
    let w = 1;
    let b = 0;
    const grads = [0.5, -0.25, 1];
    grads.forEach((g, i) => {
      p = opt.update(p, { w: ks.tensor(new Float64Array([g])) });
      const d = g + 0.01 * w;
      b = i === 0 ? d : 0.9 * b + d;
      w -= 0.1 * b;
    });
    expect(values(p.w!)[0]).toBeCloseTo(w, 14);
    expect(values(opt.stateTensors()["momentum_buffer.w"]!)[0]).toBeCloseTo(b, 14);
    opt.dispose();
  });

  it("skips steps with accept = 0, even a first step with non-finite gradients", () => {
    const run = (skip: boolean) => {
      const opt = sgd({ lr: 0.1, momentum: 0.5 });
      let p: TensorRecord = { w: ks.tensor([1, 2]) };
      if (skip) p = opt.update(p, { w: ks.tensor([NaN, Infinity]) }, { accept: ks.scalar(0) });
      p = opt.update(p, { w: ks.tensor([1, 1]) }, { accept: ks.scalar(1) });
      if (skip) p = opt.update(p, { w: ks.tensor([NaN, 3]) }, { accept: ks.scalar(0) });
      p = opt.update(p, { w: ks.tensor([2, -1]) }, { accept: ks.scalar(1) });
      const out = { w: values(p.w!), b: values(opt.stateTensors()["momentum_buffer.w"]!) };
      opt.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });

  it("takes the step's learning rate from the schedule when given", () => {
    const opt = sgd({ lr: 1 });
    const p = opt.update({ w: ks.tensor([1]) }, { w: ks.tensor([1]) }, { lr: 0.25 });
    expect(values(p.w!)).toEqual([0.75]);
    expect(() => opt.update({ w: ks.tensor([1]) }, { w: ks.tensor([1]) }, { lr: -1 })).toThrow(/lr/);
  });

  it("rejects bad hyper-parameters", () => {
    expect(() => sgd({ momentum: 1 })).toThrow(/momentum/);
    expect(() => sgd({ lr: Infinity })).toThrow(/lr/);
    expect(() => sgd({ weightDecay: -0.1 })).toThrow(/weightDecay/);
  });
});
