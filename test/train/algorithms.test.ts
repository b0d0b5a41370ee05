import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
const { ALGORITHMS, algorithmOptions, createAlgorithm, createModel, fromMetadata } = ks;

describe("algorithms and models by name", () => {
  it("rebuilds every algorithm from the options it reports", () => {
    for (const name of ALGORITHMS) {
      const model = name === "protonet" || name === "matchingnet" || name === "finetune" ? ks.nn.conv4({ hidden: 2, ways: 0 }) : ks.nn.conv4({ hidden: 2, ways: 5 });
      const options = name === "finetune" ? { numClasses: 10, steps: 7 } : { innerLr: 0.3, evalSteps: 3 };
      const algo = createAlgorithm(name, model, options);
      expect(algo.name).toBe(name);
      const again = createAlgorithm(name, model, algorithmOptions(algo));
      expect(again.options).toEqual(algo.options);
      expect(again.loss).toBe(algo.loss);
    }
    expect(createAlgorithm("maml", ks.nn.mlp(), { loss: "mse", innerLr: 0.01 }).loss).toBe("mse");
    expect(createAlgorithm("anil", ks.nn.conv4({ hidden: 2 }), {}).options.innerParams).toBe("head.weight,head.bias");
  });

  it("rebuilds models from their config", () => {
    const c = ks.nn.conv4({ hidden: 3, ways: 4, size: 16 });
    expect(createModel(c.name, c.config).paramShapes).toEqual(c.paramShapes);
    const m = ks.nn.mlp([2, 5, 3]);
    expect(createModel(m.name, m.config).paramShapes).toEqual(m.paramShapes);
    const { model, algorithm } = fromMetadata({ model: { name: "mlp", config: m.config }, algorithm: { name: "reptile", options: { innerSteps: 2 } } });
    expect(model.inputShape).toEqual([2]);
    expect(algorithm.options.innerSteps).toBe(2);
  });

  it("names what is wrong", () => {
    expect(() => createAlgorithm("mammal", ks.nn.mlp())).toThrow(/unknown algorithm "mammal" \(expected one of maml, fomaml/);
    expect(() => createAlgorithm("protonet", ks.nn.mlp(), { loss: "mse" })).toThrow(/protonet classifies/);
    expect(() => createAlgorithm("maml", ks.nn.mlp(), { innerLr: "big" })).toThrow(/innerLr: expected a number/);
    expect(() => createAlgorithm("finetune", ks.nn.mlp([4, 8]), {})).toThrow(/numClasses .* is required/);
    expect(() => createModel("resnet", {})).toThrow(/not built in/);
    expect(() => createModel("conv4", { hidden: "wide" })).toThrow(/integer hidden/);
    expect(() => fromMetadata({ algorithm: { name: "maml", options: {} } })).toThrow(/names no model/);
  });
});
