"""Writes the PyTorch interop fixtures of test/io/pytorch-interop/ (checked by test/io/checkpoint-pytorch.test.ts).

PyTorch to kshot: a Conv-4 meta-trained briefly here with MAML, and one with ProtoNet, saved with
`save_kshot` (`pytorch-maml.safetensors`, `pytorch-protonet.safetensors`), with what PyTorch computes when
it adapts them to a task and predicts (`*.expected.safetensors`: the task, `expected.loss`,
`expected.probabilities`, MAML's `expected.adapted.*`).

kshot to PyTorch: `kshot-maml.safetensors`, written by `kshot train` (the command is in
tools/pytorch/README.md), loaded here with `load_kshot`; `kshot-maml.expected.safetensors` holds what PyTorch
computes from it on a task.

usage: /usr/bin/python3 tools/pytorch/make_fixtures.py [DIR]   (default test/io/pytorch-interop)
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from adapt import adapt_maml, adapt_protonet, predict_maml, predict_protonet  # noqa: E402
from kshot_torch import Conv4, load_kshot, save_kshot, write_safetensors  # noqa: E402

WAYS, SHOTS, QUERIES, HIDDEN = 5, 2, 3, 8
MAML_OPTIONS = {"innerLr": 0.4, "innerSteps": 1, "evalSteps": 3, "evalLr": 0.4, "firstOrder": False, "learnLr": False, "loss": "cross_entropy"}
EVALUATION = {"ways": WAYS, "shots": SHOTS, "queries": QUERIES, "steps": 3, "lr": 0.4}


def synthetic_task(gen, ways=WAYS, shots=SHOTS, queries=QUERIES):
    """A task whose classes are random 28x28 patterns seen through noise: support and query (x, y)."""
    patterns = torch.rand((ways, 1, 28, 28), generator=gen)

    def part(per_class):
        y = torch.arange(ways).repeat_interleave(per_class)
        x = (0.7 * patterns[y] + 0.3 * torch.rand((len(y), 1, 28, 28), generator=gen)).to(torch.float32)
        return x, y.to(torch.int32)
    return part(shots), part(queries)


def meta_train_maml(model, gen, iterations=5, meta_batch=2):
    """A few second-order MAML meta-iterations (Adam 1e-3), as a cluster job would run many."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(iterations):
        optimizer.zero_grad()
        for _ in range(meta_batch):
            (sx, sy), (qx, qy) = synthetic_task(gen)
            params = dict(model.named_parameters())
            inner = F.cross_entropy(model.apply_params(params, sx), sy.long())
            grads = torch.autograd.grad(inner, list(params.values()), create_graph=True)
            fast = {n: p - MAML_OPTIONS["innerLr"] * g for (n, p), g in zip(params.items(), grads)}
            (F.cross_entropy(model.apply_params(fast, qx), qy.long()) / meta_batch).backward()
        optimizer.step()


def meta_train_protonet(model, gen, iterations=5):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(iterations):
        optimizer.zero_grad()
        (sx, sy), (qx, qy) = synthetic_task(gen)
        z = model(torch.cat([sx, qx]))
        zs, zq = z[:len(sy)], z[len(sy):]
        prototypes = torch.stack([zs[sy == c].mean(0) for c in range(WAYS)])
        F.cross_entropy(-((zq[:, None] - prototypes[None]) ** 2).sum(-1), qy.long()).backward()
        optimizer.step()


def task_tensors(support, query):
    return {"support.x": support[0], "support.y": support[1], "query.x": query[0]}


def maml_expectations(model, support, query, steps, lr):
    """Adaptation and prediction in float64 from the float32 checkpoint."""
    model64 = model.double()
    fast, loss, stats = adapt_maml(model64, support[0].double(), support[1], steps, lr)
    probabilities = predict_maml(model64, fast, stats, query[0].double())
    model.float()
    out = {"expected.loss": loss.reshape(1), "expected.probabilities": probabilities}
    out.update({f"expected.adapted.{n}": p for n, p in fast.items()})
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "io", "pytorch-interop")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(2017)
    meta = {"generator": f"PyTorch {torch.__version__} (tools/pytorch/make_fixtures.py)"}

    # PyTorch -> kshot: MAML.
    model = Conv4(hidden=HIDDEN, ways=WAYS)
    meta_train_maml(model, gen)
    options = {**MAML_OPTIONS, "innerParams": ",".join(n for n, _ in model.named_parameters())}
    save_kshot(os.path.join(out, "pytorch-maml.safetensors"), model, "maml", options, EVALUATION,
               metadata={"training": {"ways": WAYS, "shots": SHOTS, "queries": QUERIES, "metaBatch": 2, "framework": "pytorch"}})
    support, query = synthetic_task(gen)
    expected = maml_expectations(model, support, query, EVALUATION["steps"], EVALUATION["lr"])
    write_safetensors(os.path.join(out, "pytorch-maml.expected.safetensors"), {**task_tensors(support, query), **expected}, meta)

    # PyTorch -> kshot: ProtoNet.
    embedder = Conv4(hidden=HIDDEN, ways=0)
    meta_train_protonet(embedder, gen)
    save_kshot(os.path.join(out, "pytorch-protonet.safetensors"), embedder, "protonet", {"loss": "cross_entropy"},
               {"ways": WAYS, "shots": SHOTS, "queries": QUERIES})
    support, query = synthetic_task(gen)
    e64 = embedder.double()
    prototypes, loss, stats = adapt_protonet(e64, support[0].double(), support[1], WAYS)
    probabilities = predict_protonet(e64, prototypes, stats, query[0].double())
    write_safetensors(os.path.join(out, "pytorch-protonet.expected.safetensors"),
                      {**task_tensors(support, query), "expected.loss": loss.reshape(1), "expected.probabilities": probabilities}, meta)

    # kshot -> PyTorch: a checkpoint kshot train wrote.
    kshot_model, _, kshot_meta = load_kshot(os.path.join(out, "kshot-maml.safetensors"))
    assert kshot_meta["algorithm"] == "maml", kshot_meta["algorithm"]
    evaluation = kshot_meta["evaluation"]
    support, query = synthetic_task(gen, ways=kshot_model.config["ways"])
    expected = maml_expectations(kshot_model, support, query, evaluation["steps"], evaluation["lr"])
    write_safetensors(os.path.join(out, "kshot-maml.expected.safetensors"), {**task_tensors(support, query), **expected}, meta)
    for name in sorted(os.listdir(out)):
        print(f"{name}: {os.path.getsize(os.path.join(out, name))} bytes")


if __name__ == "__main__":
    main()
