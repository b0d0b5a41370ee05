import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
const { ALGORITHMS, algorithmOptions, createAlgorithm, needsHead } = ks;

const modelFor = (name: ks.meta.AlgorithmName) => ks.nn.conv4({ hidden: 2, ways: needsHead(name) ? 5 : 0 });

describe("the algorithm registry", () => {
  it("rebuilds every algorithm from the options it reports (what checkpoints store)", () => {
    for (const name of ALGORITHMS) {
      const options = name === "finetune" ? { numClasses: 10, steps: 7 } : { innerLr: 0.3, evalSteps: 3 };
      const algo = createAlgorithm(name, modelFor(name), options);
      expect(algo.name).toBe(name);
      const again = createAlgorithm(name, modelFor(name), algorithmOptions(algo));
      expect(again.options).toEqual(algo.options);
      expect(again.loss).toBe(algo.loss);
      expect(again.adaptation).toEqual(algo.adaptation);
    }
    expect(createAlgorithm("maml", ks.nn.mlp(), { loss: "mse", innerLr: 0.01 }).loss).toBe("mse");
    expect(createAlgorithm("anil", ks.nn.conv4({ hidden: 2 }), {}).options.innerParams).toBe("head.weight,head.bias");
  });

  it("says which algorithms use a head and which regress", () => {
    expect(ALGORITHMS.filter((a) => !needsHead(a))).toEqual(["protonet", "matchingnet", "finetune"]);
    expect(() => createAlgorithm("matchingnet", ks.nn.mlp(), { loss: "mse" })).toThrow(/regression \(mse loss, e.g. sinusoid\) needs maml, fomaml, metasgd, anil, reptile, metalstm or l2l-lstm/);
  });

  it("takes fine-tuning's class count from what training knows, when the options do not say", () => {
    const algo = createAlgorithm("finetune", modelFor("finetune"), {}, { trainingClasses: 12 });
    expect(algo.options.numClasses).toBe(12);
    expect(createAlgorithm("finetune", modelFor("finetune"), { numClasses: 7 }, { trainingClasses: 12 }).options.numClasses).toBe(7);
  });

  it("names what is wrong", () => {
    expect(() => createAlgorithm("mammal", ks.nn.mlp())).toThrow(/unknown algorithm "mammal" \(expected one of maml, fomaml/);
    expect(() => createAlgorithm("protonet", ks.nn.mlp(), { loss: "mse" })).toThrow(/protonet classifies/);
    expect(() => createAlgorithm("maml", ks.nn.mlp(), { innerLr: "big" })).toThrow(/innerLr: expected a number/);
    expect(() => createAlgorithm("maml", ks.nn.mlp(), { loss: "hinge" })).toThrow(/loss: expected "cross_entropy" or "mse", got "hinge"/);
    expect(() => createAlgorithm("finetune", modelFor("finetune"), { numClasses: 4, headInit: "ones" })).toThrow(/headInit: expected "zeros" or "random", got "ones"/);
    expect(() => createAlgorithm("finetune", ks.nn.mlp([4, 8]), {})).toThrow(/numClasses .* is required/);
  });
});
