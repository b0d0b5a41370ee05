// kshot checkpoints across PyTorch and kshot, both ways: the committed fixtures of test/io/pytorch-interop/
// (made by tools/pytorch/make_fixtures.py), checked within 1e-4 on the active backend.
import { describe, expect, it } from "vitest";
import { readRepoBytes } from "../support/repo-files.ts";
import { adaptAndCompare } from "./interop-check.ts";

const read = (file: string) => readRepoBytes(`test/io/pytorch-interop/${file}`);

describe("PyTorch → kshot: ks.Learner on checkpoints PyTorch wrote", () => {
  it("a MAML Conv-4: the same adaptation (weights, support loss) and predictions", async () => {
    const learner = await adaptAndCompare(read, "pytorch-maml");
    expect(learner.algorithm).toBe("maml");
    learner.dispose();
  });

  it("a ProtoNet Conv-4: the same prototypes' predictions", async () => {
    const learner = await adaptAndCompare(read, "pytorch-protonet");
    expect(learner.algorithm).toBe("protonet");
    learner.dispose();
  });
});

describe("kshot → PyTorch: a checkpoint kshot train wrote, loaded into the PyTorch Conv-4", () => {
  it("PyTorch's recorded adaptation and predictions are what kshot computes from the same file", async () => {
    const learner = await adaptAndCompare(read, "kshot-maml");
    expect(learner.algorithm).toBe("maml");
    learner.dispose();
  });
});
