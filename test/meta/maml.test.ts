import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm, itMatchesGoldenCase } from "./support.ts";

const conv4 = () => ks.nn.conv4({ hidden: 4, ways: 3, size: 16 });
const setup = (factory: typeof ks.meta.maml, options: ks.meta.MamlOptions = {}) => () => ({
  algo: factory(conv4(), { innerLr: 0.3, evalSteps: 2, ...options }),
  batch: episodeBatch(2, 3, new ks.Rng(7)),
});

describe("maml", () => {
  itMatchesGoldenCase("conv4_maml_1step");
  itMatchesGoldenCase("conv4_maml_2step");
  itMatchesGoldenCase("conv4_maml_metabatch");
  itMatchesGoldenCase("sinusoid_mlp_maml_3step");
  itAdaptsLikeEveryAlgorithm("maml", setup(ks.meta.maml));

  it("adapts with evalSteps of evalLr, or the steps and lr it is given", async () => {
    const { algo, batch } = setup(ks.meta.maml)();
    const params = algo.init(new ks.Rng(1));
    const support = { ...batch.support, ways: 3 };
    expect(algo.adapt(params, support).steps).toBe(2);
    const none = algo.adapt(params, support, { steps: 0 });
    expect(none.steps).toBe(0);
    expect(Array.from(await none.tensors["weights.head.bias"]!.data())).toEqual(Array.from(await ks.meta.perTask(params, 2)["head.bias"]!.data()));
    const far = await algo.adapt(params, support, { steps: 1, lr: 10 }).tensors["weights.head.bias"]!.data();
    const near = await algo.adapt(params, support, { steps: 1, lr: 0.1 }).tensors["weights.head.bias"]!.data();
    expect(far[0]).not.toBe(near[0]);
  });

  it("names options and tasks it cannot take", () => {
    const { algo, batch } = setup(ks.meta.maml)();
    const params = algo.init(new ks.Rng(1));
    expect(() => algo.adapt(params, { ...batch.support, ways: 4 })).toThrow(/3-way head: expected examples of 3 classes \(labels 0..2\), got 4/);
    expect(() => algo.adapt(params, { ...batch.support, ways: 3 }, { steps: 1.5 })).toThrow(/expected steps to be a non-negative integer, got 1.5/);
    expect(() => ks.meta.maml(conv4(), { innerParams: ["nope"] })).toThrow(/parameters nope do not exist/);
  });
});

describe("fomaml", () => {
  itMatchesGoldenCase("conv4_fomaml_1step");
  itMatchesGoldenCase("sinusoid_mlp_fomaml_3step");
  itAdaptsLikeEveryAlgorithm("fomaml", setup(ks.meta.fomaml));
});

describe("metasgd", () => {
  itMatchesGoldenCase("conv4_metasgd_1step");
  itAdaptsLikeEveryAlgorithm("metasgd", setup(ks.meta.metaSgd));

  it("learns a step size per parameter element, named with LEARNED_LR_PREFIX, and adapts with them", () => {
    const { algo, batch } = setup(ks.meta.metaSgd)();
    const params = algo.init(new ks.Rng(1));
    const rates = Object.keys(params).filter((k) => k.startsWith(ks.meta.LEARNED_LR_PREFIX));
    expect(rates).toHaveLength(Object.keys(algo.model.paramShapes).length);
    expect(params[`${ks.meta.LEARNED_LR_PREFIX}head.weight`]!.shape).toEqual(algo.model.paramShapes["head.weight"]);
    expect(() => algo.adapt(params, { ...batch.support, ways: 3 }, { lr: 0.1 })).toThrow(/metasgd steps with its learned per-parameter step sizes: lr does not apply/);
  });
});

describe("anil", () => {
  itMatchesGoldenCase("conv4_anil");
  itAdaptsLikeEveryAlgorithm("anil", setup(ks.meta.anil));

  it("adapts the head: head.* on Conv-4, the last layer of an MLP; stores the names for checkpoints", () => {
    expect(ks.meta.anil(conv4()).options.innerParams).toBe("head.weight,head.bias");
    const mlp = ks.meta.anil(ks.nn.mlp([1, 40, 40, 1]));
    expect(mlp.options.innerParams).toBe("fc2.weight,fc2.bias");
    expect(ks.createAlgorithm("anil", mlp.model, ks.algorithmOptions(mlp)).options).toEqual(mlp.options);
  });

  it("leaves the body's weights as they were when adapting", async () => {
    const { algo, batch } = setup(ks.meta.anil)();
    const params = algo.init(new ks.Rng(1));
    const task = algo.adapt(params, { ...batch.support, ways: 3 });
    const body = await ks.meta.perTask(params, 2)["conv0.weight"]!.data();
    expect(Array.from(await task.tensors["weights.conv0.weight"]!.data())).toEqual(Array.from(body));
  });
});
