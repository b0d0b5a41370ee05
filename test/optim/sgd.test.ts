import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { TensorRecord } from "../../src/autograd.ts";
import { digits, wide } from "./precision.ts";
const { sgd } = ks.optim;

const values = async (t: ks.Tensor) => Array.from(await t.data());

describe("sgd", () => {
  it("takes plain steps θ − lr·g", async () => {
    const opt = sgd({ lr: 0.5 });
    const p = opt.update({ w: ks.tensor(wide([1, 2])) }, { w: ks.tensor(wide([0.2, -4])) });
    expect(await values(p.w!)).toEqual(Array.from(wide([1 - 0.5 * 0.2, 4])));
    expect(Object.keys(opt.stateTensors())).toEqual([]);
  });

  it("uses PyTorch's momentum (buffer starts at the gradient) and weight decay", async () => {
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    let p: TensorRecord = { w: ks.tensor(wide([1])) };
    let w = 1;
    let b = 0;
    const grads = [0.5, -0.25, 1];
    grads.forEach((g, i) => {
      p = opt.update(p, { w: ks.tensor(wide([g])) });
      const d = g + 0.01 * w;
      b = i === 0 ? d : 0.9 * b + d;
      w -= 0.1 * b;
    });
    expect((await values(p.w!))[0]).toBeCloseTo(w, digits());
    expect((await values(opt.stateTensors()["momentum_buffer.w"]!))[0]).toBeCloseTo(b, digits());
    opt.dispose();
  });

  it("skips steps with accept = 0, even a first step with non-finite gradients", async () => {
    const run = async (skip: boolean) => {
      const opt = sgd({ lr: 0.1, momentum: 0.5 });
      let p: TensorRecord = { w: ks.tensor([1, 2]) };
      if (skip) p = opt.update(p, { w: ks.tensor([NaN, Infinity]) }, { accept: ks.scalar(0) });
      p = opt.update(p, { w: ks.tensor([1, 1]) }, { accept: ks.scalar(1) });
      if (skip) p = opt.update(p, { w: ks.tensor([NaN, 3]) }, { accept: ks.scalar(0) });
      p = opt.update(p, { w: ks.tensor([2, -1]) }, { accept: ks.scalar(1) });
      const out = { w: await values(p.w!), b: await values(opt.stateTensors()["momentum_buffer.w"]!) };
      opt.dispose();
      return out;
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it("takes the step's learning rate from the schedule when given", async () => {
    const opt = sgd({ lr: 1 });
    const p = opt.update({ w: ks.tensor([1]) }, { w: ks.tensor([1]) }, { lr: 0.25 });
    expect(await values(p.w!)).toEqual([0.75]);
    expect(() => opt.update({ w: ks.tensor([1]) }, { w: ks.tensor([1]) }, { lr: -1 })).toThrow(/lr/);
  });

  it("rejects bad hyper-parameters", () => {
    expect(() => sgd({ momentum: 1 })).toThrow(/momentum/);
    expect(() => sgd({ lr: Infinity })).toThrow(/lr/);
    expect(() => sgd({ weightDecay: -0.1 })).toThrow(/weightDecay/);
  });
});
