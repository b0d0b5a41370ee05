import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { episodeBatch, itAdaptsLikeEveryAlgorithm, itMatchesGoldenCase } from "./support.ts";

const setup = () => ({ algo: ks.meta.protonet(ks.nn.conv4({ hidden: 4, ways: 0, size: 16 })), batch: episodeBatch(2, 3, new ks.Rng(7)) });

describe("protonet", () => {
  itMatchesGoldenCase("conv4_protonet");
  itAdaptsLikeEveryAlgorithm("protonet", setup, false);

  it("prototypes are class means; logits are minus squared distances to them", async () => {
    const support = ks.tensor([0, 0, 2, 0, 10, 10], [1, 3, 2]);
    const labels = ks.tensor(new Int32Array([0, 0, 1]), [1, 3], "int32");
    const protos = ks.meta.prototypes(support, labels, 2);
    expect(Array.from(await protos.data())).toEqual([1, 0, 10, 10]);
    const logits = ks.meta.negativeSquaredDistances(ks.tensor([1, 1], [1, 1, 2]), protos);
    expect(Array.from(await logits.data())).toEqual([-1, -162]);
  });

  it("adapts to the prototypes of the support embeddings, without gradient steps", async () => {
    const { algo, batch } = setup();
    const params = algo.init(new ks.Rng(1));
    const task = algo.adapt(params, { ...batch.support, ways: 3 }, { statistics: false });
    expect(task.steps).toBe(0);
    expect(algo.adaptation.tensors).toEqual(["prototypes"]);
    const z = algo.model.apply(ks.meta.perTask(params, 2), batch.support.x);
    expect(Array.from(await task.tensors.prototypes!.data())).toEqual(Array.from(await ks.meta.prototypes(z, batch.support.y, 3).data()));
    expect(() => algo.adapt(params, { ...batch.support, ways: 3 }, { steps: 2 })).toThrow(/protonet adapts by class prototypes, without gradient steps: steps and lr do not apply/);
    expect(() => algo.adapt(params, batch.support)).toThrow(/classification needs `ways`/);
  });

  it("embeds support and query in one batch by default, each alone with embedding \"separate\"", async () => {
    const { batch } = setup();
    const model = ks.nn.conv4({ hidden: 4, ways: 0, size: 16 });
    const joint = ks.meta.protonet(model);
    const separate = ks.meta.protonet(model, { embedding: "separate" });
    const params = joint.init(new ks.Rng(1));
    const p = ks.meta.perTask(params, 2);
    const alone = ks.meta.negativeSquaredDistances(model.apply(p, batch.query.x), ks.meta.prototypes(model.apply(p, batch.support.x), batch.support.y, 3));
    const expected = Array.from(await alone.data());
    expect(Array.from(await separate.evaluate(params, batch).predictions.data())).toEqual(expected);
    // One batch: BatchNorm statistics of support and query together, so other embeddings.
    const together = Array.from(await joint.evaluate(params, batch).predictions.data());
    expect(together.some((v, i) => Math.abs(v - expected[i]!) > 1e-3)).toBe(true);
    expect(separate.step(params, batch).loss.shape).toEqual([]);
    expect(joint.options.embedding).toBeUndefined();
    expect(separate.options.embedding).toBe("separate");
    const rebuilt = ks.createAlgorithm("protonet", model, separate.options);
    expect(Array.from(await rebuilt.evaluate(params, batch).predictions.data())).toEqual(expected);
    expect(() => ks.meta.protonet(model, { embedding: "apart" as "joint" })).toThrow(/protonet: expected embedding "joint" or "separate", got "apart"/);
  });
});

