import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { input, itChecksGradients, randomValues } from "../support/gradcheck.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm, itMatchesCommittedGoldenCase } from "./support.ts";

const GATE_PARAMS = ["metalstm.input_gate.weight", "metalstm.input_gate.bias", "metalstm.forget_gate.weight", "metalstm.forget_gate.bias"];
const model = ks.nn.mlp([3, 4, 2]);

/** Two tasks of 2 ways × 2 support and 2 query examples on 3 inputs, in `dtype`. */
function batch(dtype: ks.DType): ks.meta.TaskBatch {
  const y = ks.tensor(new Int32Array([0, 0, 1, 1, 0, 0, 1, 1]), [2, 4], "int32");
  return {
    support: { x: ks.tensor(randomValues(24, 41), [2, 4, 3], dtype), y },
    query: { x: ks.tensor(randomValues(24, 42), [2, 4, 3], dtype), y },
    ways: 2,
  };
}

/** The model's parameters, fixed, in `dtype`. */
function modelParams(dtype: ks.DType): ks.TensorRecord {
  return Object.fromEntries(Object.entries(model.paramShapes).map(([k, shape], i) => [k, ks.tensor(randomValues(shape.reduce((a, b) => a * b, 1), 50 + i), shape, dtype)]));
}

describe("metalstm", () => {
  itMatchesCommittedGoldenCase("conv4_metalstm_2step");
  // With one learner update, the support gradient and loss are taken at θ_0 and do not depend on the
  // gates, so the first-order meta-gradient with respect to the gates' weights and biases is exact.
  itChecksGradients({
    name: "query loss after one learner update, in the gates' parameters",
    f: (gates) => {
      const algo = ks.meta.metaLstm(model, { innerSteps: 1 });
      const params = { ...modelParams(gates[0].dtype), ...Object.fromEntries(GATE_PARAMS.map((k, i) => [k, gates[i]])) };
      const b = batch(gates[0].dtype);
      const fast = algo.adapt(params, { ...b.support, ways: 2 }, { statistics: false });
      return ks.meta.meanTaskLoss("cross_entropy", algo.predict(fast, b.query.x), b.query.y);
    },
    inputs: [input([6], 1, -0.5, 0.5), input([1], 2), input([6], 3, -0.5, 0.5), input([1], 4, 2, 3)],
    noHvp: true,
  });

  it("updates c_t = f_t ⊙ c_{t−1} − i_t ⊙ ∇_t with the gates at their starting values", async () => {
    const algo = ks.meta.metaLstm(model, { innerSteps: 1, innerLr: 0.2, forget: 0.9 });
    const params = algo.init(new ks.Rng(0));
    for (const k of ["metalstm.input_gate.weight", "metalstm.forget_gate.weight"]) params[k] = ks.zeros([6]);
    const b = batch("float32");
    const task = algo.adapt(params, { ...b.support, ways: 2 }, { statistics: false });
    const theta0 = ks.meta.perTask(Object.fromEntries(Object.keys(model.paramShapes).map((k) => [k, params[k]])), 2);
    // The gradient of each task's own mean loss: the sum over tasks of the task means.
    const g = ks.grad((q: ks.TensorRecord) => ks.mul(ks.meta.meanTaskLoss("cross_entropy", model.apply(q, b.support.x), b.support.y), 2))(theta0);
    for (const k of Object.keys(model.paramShapes)) {
      const want = Array.from(await ks.sub(ks.mul(theta0[k], 0.9), ks.mul(g[k], 0.2)).data());
      Array.from(await task.tensors[`weights.${k}`].data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });

  it("reports the mean input and forget gate of each learner update", async () => {
    const seen: ks.Tensor[][] = [];
    const algo = ks.meta.metaLstm(model, { innerSteps: 3, innerLr: 0.2, forget: 0.9, onGates: (step, g) => {
      expect(step).toBe(seen.length);
      seen.push([ks.keep(ks.mul(g.input, 1)), ks.keep(ks.mul(g.forget, 1))]);
    } });
    const params = algo.init(new ks.Rng(0));
    for (const k of ["metalstm.input_gate.weight", "metalstm.forget_gate.weight"]) params[k] = ks.zeros([6]);
    const b = batch("float32");
    algo.adapt(params, { ...b.support, ways: 2 }, { statistics: false });
    expect(seen).toHaveLength(3);
    for (const [input, forget] of seen) {
      expect(await input.item()).toBeCloseTo(0.2, 5);
      expect(await forget.item()).toBeCloseTo(0.9, 5);
    }
    expect(algo.options).not.toHaveProperty("onGates");
  });

  it("meta-trains: a few Adam steps lower the query loss of a fixed batch", async () => {
    const algo = ks.meta.metaLstm(model, { innerSteps: 2 });
    let params = algo.init(new ks.Rng(1));
    const b = batch("float32");
    const opt = ks.optim.adam({ lr: 0.05 });
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const step = algo.step(params, b);
      losses.push(await step.loss.item());
      params = opt.update(params, step.grads);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    opt.dispose();
  });

  it("is built by the registry from stored options and rejects gates outside (0, 1)", () => {
    const algo = ks.meta.metaLstm(model, { innerSteps: 3, innerLr: 0.05 });
    expect(algo.options).toMatchObject({ innerSteps: 3, innerLr: 0.05 });
    expect(Object.keys(algo.init(new ks.Rng(0)))).toEqual([...Object.keys(model.paramShapes), ...GATE_PARAMS]);
    expect(() => ks.meta.metaLstm(model, { innerLr: 1 })).toThrow(/innerLr in \(0, 1\)/);
  });

  itAdaptsLikeEveryAlgorithm("metalstm", () => ({
    algo: ks.meta.metaLstm(ks.nn.conv4({ hidden: 4, ways: 3, size: 16 }), { innerSteps: 2 }),
    batch: episodeBatch(2, 3, new ks.Rng(7)),
  }));
});
