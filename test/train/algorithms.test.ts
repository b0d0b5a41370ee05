import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
const { createModel, fromMetadata } = ks;

// Algorithms by name: test/meta/registry.test.ts.
describe("models and checkpoint metadata", () => {
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
    expect(() => createModel("resnet", {})).toThrow(/not built in/);
    expect(() => createModel("conv4", { hidden: "wide" })).toThrow(/integer hidden/);
    expect(() => fromMetadata({ algorithm: { name: "maml", options: {} } })).toThrow(/names no model/);
  });
});
