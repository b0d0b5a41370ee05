import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { TensorRecord } from "../../src/autograd.ts";
import { digits, wide } from "./precision.ts";
const { rmsprop } = ks.optim;

const values = async (t: ks.Tensor) => Array.from(await t.data());

describe("rmsprop", () => {
  it("follows PyTorch's RMSprop: v ← αv + (1−α)g², θ ← θ − lr·g/(√v + ε)", async () => {
    const opt = rmsprop({ lr: 0.1, alpha: 0.9, eps: 1e-6 });
    let p: TensorRecord = { w: ks.tensor(wide([1])) };
    let w = 1;
    let v = 0;
    for (const g of [0.5, -0.25, 2]) {
      p = opt.update(p, { w: ks.tensor(wide([g])) });
      v = 0.9 * v + 0.1 * g * g;
      w -= (0.1 * g) / (Math.sqrt(v) + 1e-6);
    }
    expect((await values(p.w!))[0]).toBeCloseTo(w, digits());
    expect((await values(opt.stateTensors()["square_avg.w"]!))[0]).toBeCloseTo(v, digits());
    opt.dispose();
  });

  it("skips steps with accept = 0", async () => {
    const run = async (skip: boolean) => {
      const opt = rmsprop({ lr: 0.1 });
      let p: TensorRecord = { w: ks.tensor([1, 2]) };
      if (skip) p = opt.update(p, { w: ks.tensor([NaN, Infinity]) }, { accept: ks.scalar(0) });
      p = opt.update(p, { w: ks.tensor([1, 1]) }, { accept: ks.scalar(1) });
      p = opt.update(p, { w: ks.tensor([2, -1]) });
      const out = { w: await values(p.w!), v: await values(opt.stateTensors()["square_avg.w"]!) };
      opt.dispose();
      return out;
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it("rejects bad hyper-parameters", () => {
    expect(() => rmsprop({ alpha: 1 })).toThrow(/alpha/);
    expect(() => rmsprop({ lr: -1 })).toThrow(/lr/);
  });
});
