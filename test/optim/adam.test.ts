import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import type { TensorRecord } from "../../src/autograd.ts";
import { digits, wide } from "./precision.ts";
const { adam } = ks.optim;

const values = async (t: ks.Tensor) => Array.from(await t.data());

/** PyTorch's Adam in doubles, for one parameter vector and a sequence of gradients. */
function reference(p0: number[], grads: number[][], o: { lr: number; b1: number; b2: number; eps: number; wd: number }) {
  let p = [...p0];
  let m = p.map(() => 0);
  let v = p.map(() => 0);
  grads.forEach((g0, i) => {
    const t = i + 1;
    const g = g0.map((x, j) => x + o.wd * p[j]!);
    m = m.map((x, j) => o.b1 * x + (1 - o.b1) * g[j]!);
    v = v.map((x, j) => o.b2 * x + (1 - o.b2) * g[j]! * g[j]!);
    const stepSize = o.lr / (1 - o.b1 ** t);
    const c2 = Math.sqrt(1 - o.b2 ** t);
    p = p.map((x, j) => x - stepSize * (m[j]! / (Math.sqrt(v[j]!) / c2 + o.eps)));
  });
  return p;
}

describe("adam", () => {
  it("follows PyTorch's update (bias correction, eps outside the square root, L2 decay)", async () => {
    const p0 = [0.5, -1.25, 2, 1e-3];
    const grads = [[0.1, -0.2, 0.3, 1e-9], [-0.5, 0.25, 0, 2], [1, 1, -1, -3]];
    const o = { lr: 0.01, b1: 0.8, b2: 0.99, eps: 1e-8, wd: 0.1 };
    const opt = adam({ lr: o.lr, beta1: o.b1, beta2: o.b2, eps: o.eps, weightDecay: o.wd });
    let params: TensorRecord = { w: ks.tensor(wide(p0), [2, 2]) };
    for (const g of grads) {
      const next = opt.update(params, { w: ks.tensor(wide(g), [2, 2]) });
      params = next;
    }
    const got = await values(params.w!);
    reference(p0, grads, o).forEach((x, j) => expect(got[j]).toBeCloseTo(x, digits()));
    expect(await values(opt.stateTensors().step!)).toEqual([3]);
    opt.dispose();
  });

  it("moves each weight by about lr on the first step (the bias-corrected sign step)", async () => {
    const opt = adam({ lr: 0.1 });
    const out = opt.update({ w: ks.tensor([1, 1, 1]) }, { w: ks.tensor([3, -0.001, 1e4]) });
    const w = await values(out.w!);
    expect(w[0]).toBeCloseTo(0.9, 5);
    expect(w[1]).toBeCloseTo(1.1, 5);
    expect(w[2]).toBeCloseTo(0.9, 5);
    opt.dispose();
  });

  it("skips a step whose accept flag is 0, leaving parameters, moments and the step count untouched", async () => {
    const run = async (skipNaN: boolean) => {
      const opt = adam({ lr: 0.05 });
      let p: TensorRecord = { w: ks.tensor([0.3, -0.7]) };
      const steps: [number[], number][] = [[[1, 2], 1], ...(skipNaN ? [[[NaN, Infinity], 0] as [number[], number]] : []), [[-1, 0.5], 1]];
      for (const [g, a] of steps) p = opt.update(p, { w: ks.tensor(g) }, { accept: ks.scalar(a) });
      const state = opt.stateTensors();
      const result = { w: await values(p.w!), m: await values(state["exp_avg.w"]!), v: await values(state["exp_avg_sq.w"]!), step: await values(state.step!) };
      opt.dispose();
      return result;
    };
    expect(await run(true)).toEqual(await run(false));
    expect((await run(true)).step).toEqual([2]);
  });

  it("a skipped first step leaves zero moments", async () => {
    const opt = adam();
    const p = opt.update({ w: ks.tensor([1, 2]) }, { w: ks.tensor([NaN, 1]) }, { accept: ks.scalar(0) });
    expect(await values(p.w!)).toEqual([1, 2]);
    expect(await values(opt.stateTensors()["exp_avg.w"]!)).toEqual([0, 0]);
    expect(await values(opt.stateTensors().step!)).toEqual([0]);
    opt.dispose();
  });

  it("continues identically from state loaded into a fresh optimizer", async () => {
    const g = [[0.2, -0.1], [0.4, 0.3], [-0.3, 0.9], [0.05, 0.05]];
    const a = adam({ lr: 0.02 });
    let pa: TensorRecord = { w: ks.tensor([1, -1]) };
    for (const x of g) pa = a.update(pa, { w: ks.tensor(x) });

    const b = adam({ lr: 0.02 });
    let pb: TensorRecord = { w: ks.tensor([1, -1]) };
    for (const x of g.slice(0, 2)) pb = b.update(pb, { w: ks.tensor(x) });
    const saved: TensorRecord = {};
    for (const [k, t] of Object.entries(b.stateTensors())) saved[k] = ks.tensor(await t.data(), t.shape);
    b.dispose();
    const c = adam({ lr: 0.02 });
    c.loadState(saved);
    for (const t of Object.values(saved)) t.dispose(); // the optimizer holds its own references
    for (const x of g.slice(2)) pb = c.update(pb, { w: ks.tensor(x) });
    expect(await values(pb.w!)).toEqual(await values(pa.w!));
    a.dispose();
    c.dispose();
  });

  it("keeps memory flat over many steps", () => {
    const opt = adam();
    let p: TensorRecord = { w: ks.tensor([1, 2, 3]), b: ks.tensor([0]) };
    const step = () => {
      const next = ks.tidy(() => opt.update(p, { w: ks.tensor([0.1, 0.2, 0.3]), b: ks.tensor([1]) }, { accept: ks.scalar(1) }));
      for (const t of Object.values(p)) t.dispose();
      p = next;
    };
    step();
    const before = ks.memory();
    for (let i = 0; i < 50; i++) step();
    expect(ks.memory()).toEqual(before);
    opt.dispose();
    for (const t of Object.values(p)) t.dispose();
  });

  it("rejects bad hyper-parameters and mismatched gradients", () => {
    expect(() => adam({ lr: -1 })).toThrow(/lr/);
    expect(() => adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => adam({ eps: NaN })).toThrow(/eps/);
    const opt = adam();
    expect(() => opt.update({ w: ks.tensor([1, 2]) }, {})).toThrow(/no gradient for parameter w/);
    expect(() => opt.update({ w: ks.tensor([1, 2]) }, { w: ks.tensor([1, 2, 3]) })).toThrow(/\[3\]/);
    opt.update({ w: ks.tensor([1, 2]) }, { w: ks.tensor([1, 2]) });
    expect(() => opt.loadState({ "exp_avg.w": ks.tensor([1, 2, 3]) })).toThrow(/expected shape \[2\]/);
    opt.dispose();
  });
});
