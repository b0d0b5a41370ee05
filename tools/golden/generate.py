"""Writes kshot's golden cases (test/golden/cases/*.safetensors): PyTorch autograd in float64, from float32
inputs, for every meta-learning algorithm kshot implements. test/golden/golden-case.ts reads a case from
its metadata alone and checks kshot's result against the expected.* tensors.

usage: /usr/bin/python3 tools/golden/generate.py [OUT_DIR]   (default test/golden/cases)
The layout of a case and the conventions are in tools/golden/README.md.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from kshot_torch import MLP, Conv4, write_safetensors  # noqa: E402

GENERATOR = f"PyTorch {torch.__version__} autograd, float64 (tools/golden/generate.py)"


def conv4_params(gen, hidden, ways, channels=1, size=28):
    """Float32 starting parameters: PyTorch's default initialisation, BatchNorm scales and shifts perturbed
    so that their gradients are not special."""
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
    model = Conv4(hidden, ways, channels, size)
    params = {}
    for name, p in model.named_parameters():
        p = p.detach().clone()
        if name.startswith("bn"):
            p = p + 0.1 * torch.randn(p.shape, generator=gen)
        params[name] = p.to(torch.float32)
    return params


def mlp_params(gen, sizes):
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
    return {name: p.detach().clone().to(torch.float32) for name, p in MLP(sizes).named_parameters()}


def image_task(gen, ways, shots, queries, tasks, size=28):
    """Images uniform in [0, 1), labels 0..ways-1 in class order; a leading task axis when tasks > 1."""
    def part(per_class):
        x = torch.rand((tasks, ways * per_class, 1, size, size), generator=gen, dtype=torch.float32)
        y = torch.arange(ways, dtype=torch.int32).repeat_interleave(per_class).repeat(tasks, 1)
        return (x, y) if tasks > 1 else (x[0], y[0])
    return part(shots), part(queries)


def sine_task(gen, points=10):
    amplitude = 0.1 + 4.9 * torch.rand((), generator=gen, dtype=torch.float64)
    phase = math_pi * torch.rand((), generator=gen, dtype=torch.float64)

    def part():
        x = (torch.rand((points, 1), generator=gen, dtype=torch.float64) * 10 - 5)
        return x.to(torch.float32), (amplitude * torch.sin(x - phase)).to(torch.float32)
    return part(), part()


math_pi = 3.141592653589793


def loss_of(kind, out, y):
    return F.mse_loss(out, y) if kind == "mse" else F.cross_entropy(out, y.long())


def inner_loop(model, params, x, y, loss, steps, lr, adapt, first_order):
    """MAML's inner loop: `steps` full-batch SGD steps on (x, y) of the parameters in `adapt`; `lr` a number or
    a dict of per-parameter step-size tensors (Meta-SGD)."""
    fast = dict(params)
    for _ in range(steps):
        names = [n for n in fast if n in adapt]
        grads = torch.autograd.grad(loss_of(loss, model.apply_params(fast, x), y), [fast[n] for n in names], create_graph=not first_order)
        for n, g in zip(names, grads):
            if first_order:
                g = g.detach()
            rate = lr[n] if isinstance(lr, dict) else lr
            fast[n] = fast[n] - rate * g
    return fast


def leaf64(t):
    return t.detach().to(torch.float64).requires_grad_(True)


def maml_case(model, params, support, query, loss, steps, lr, adapt, first_order, tasks, lrs=None):
    """Returns expected.*: the mean query loss after adaptation, its gradients, the adapted parameters (one task)."""
    theta = {n: leaf64(p) for n, p in params.items()}
    alphas = {n: leaf64(a) for n, a in lrs.items()} if lrs else None
    losses = []
    adapted = None
    for t in range(tasks):
        pick = (lambda v: v[t]) if tasks > 1 else (lambda v: v)
        sx, sy, qx, qy = pick(support[0]), pick(support[1]), pick(query[0]), pick(query[1])
        fast = inner_loop(model, theta, sx.double() if sx.is_floating_point() else sx, sy if loss != "mse" else sy.double(),
                          loss, steps, alphas if alphas else lr, adapt, first_order)
        losses.append(loss_of(loss, model.apply_params(fast, qx.double()), qy if loss != "mse" else qy.double()))
        adapted = fast
    query_loss = torch.stack(losses).mean()
    wrt = list(theta.values()) + (list(alphas.values()) if alphas else [])
    grads = torch.autograd.grad(query_loss, wrt)
    out = {"expected.query_loss": query_loss.detach().reshape(1)}
    for n, g in zip(theta, grads[:len(theta)]):
        out[f"expected.grad.{n}"] = g
    if alphas:
        for n, g in zip(alphas, grads[len(theta):]):
            out[f"expected.grad_lr.{n}"] = g
    if tasks == 1:
        for n, p in adapted.items():
            out[f"expected.adapted.{n}"] = p.detach()
    return out


def reptile_case(model, params, support, query, steps, lr, epsilon):
    theta = {n: p.detach().to(torch.float64) for n, p in params.items()}
    x = torch.cat([support[0], query[0]]).double()
    y = torch.cat([support[1], query[1]])
    phi = {n: p.clone().requires_grad_(True) for n, p in theta.items()}
    for _ in range(steps):
        grads = torch.autograd.grad(F.cross_entropy(model.apply_params(phi, x), y.long()), list(phi.values()))
        phi = {n: (p - lr * g).detach().requires_grad_(True) for (n, p), g in zip(phi.items(), grads)}
    return {f"expected.updated.{n}": theta[n] + epsilon * (phi[n].detach() - theta[n]) for n in theta}


def metric_case(model, params, support, query, ways, kind, normalize="both"):
    """ProtoNet / Matching Net: support and query embedded in one batch; returns the loss and its gradients.
    Matching Net's `normalize`: "both" (a true cosine) or "support" (only the support embeddings at unit length)."""
    theta = {n: leaf64(p) for n, p in params.items()}
    s = support[0].shape[0]
    z = model.apply_params(theta, torch.cat([support[0], query[0]]).double())
    zs, zq = z[:s], z[s:]
    sy, qy = support[1].long(), query[1].long()
    if kind == "protonet":
        protos = torch.stack([zs[sy == c].mean(0) for c in range(ways)])
        logits = -((zq[:, None, :] - protos[None, :, :]) ** 2).sum(-1)
        loss = F.cross_entropy(logits, qy)
    else:
        unit = lambda v: v / torch.clamp(v.norm(dim=-1, keepdim=True), min=1e-8)  # noqa: E731
        attention = torch.softmax((unit(zq) if normalize == "both" else zq) @ unit(zs).T, dim=-1)
        p = attention @ F.one_hot(sy, ways).double()
        loss = -torch.log(torch.clamp(p[torch.arange(len(qy)), qy], min=1e-12)).mean()
    grads = torch.autograd.grad(loss, list(theta.values()))
    out = {"expected.loss": loss.detach().reshape(1)}
    out.update({f"expected.grad.{n}": g for n, g in zip(theta, grads)})
    return out


def write_case(out_dir, name, params, support, query, expected, metadata, lrs=None):
    tensors = {f"param.{n}": p for n, p in params.items()}
    tensors.update({"support.x": support[0], "support.y": support[1], "query.x": query[0], "query.y": query[1]})
    tensors.update({f"lr.{n}": a for n, a in (lrs or {}).items()})
    tensors.update(expected)
    meta = {"case": name, "generator": GENERATOR, "param_order": ",".join(params), **metadata}
    write_safetensors(os.path.join(out_dir, f"{name}.safetensors"), tensors, {k: str(v) for k, v in meta.items()})
    print(f"{name}: {len(tensors)} tensors")


def conv4_cases(out_dir, gen):
    hidden, ways, shots, queries = 8, 5, 1, 2
    shape = {"model": "conv4", "hidden": hidden, "ways": ways, "shots": shots, "queries": queries, "loss": "cross_entropy"}
    model = Conv4(hidden, ways).double()
    every = None
    for name, algorithm, steps, tasks in [("maml_1step", "maml", 1, 1), ("maml_2step", "maml", 2, 1), ("fomaml_1step", "fomaml", 1, 1),
                                          ("fomaml_2step", "fomaml", 2, 1), ("maml_metabatch", "maml", 1, 2)]:
        params = conv4_params(gen, hidden, ways)
        every = list(params)
        support, query = image_task(gen, ways, shots, queries, tasks)
        expected = maml_case(model, params, support, query, "cross_entropy", steps, 0.4, every, algorithm == "fomaml", tasks)
        write_case(out_dir, f"conv4_{name}", params, support, query, expected,
                   {**shape, "tasks": tasks, "inner_params": "all", "algorithm": algorithm, "inner_lr": 0.4, "inner_steps": steps})

    params = conv4_params(gen, hidden, ways)
    support, query = image_task(gen, ways, shots, queries, 1)
    lrs = {n: (0.1 + 0.5 * torch.rand(p.shape, generator=gen)).to(torch.float32) for n, p in params.items()}
    expected = maml_case(model, params, support, query, "cross_entropy", 1, None, every, False, 1, lrs)
    write_case(out_dir, "conv4_metasgd_1step", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": "all", "algorithm": "metasgd", "inner_lr": "tensors", "inner_steps": 1}, lrs)

    params = conv4_params(gen, hidden, ways)
    support, query = image_task(gen, ways, shots, queries, 1)
    head = ["head.weight", "head.bias"]
    expected = maml_case(model, params, support, query, "cross_entropy", 1, 0.4, head, False, 1)
    write_case(out_dir, "conv4_anil", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": ",".join(head), "algorithm": "anil", "inner_lr": 0.4, "inner_steps": 1})

    params = conv4_params(gen, hidden, ways)
    support, query = image_task(gen, ways, shots, queries, 1)
    expected = reptile_case(model, params, support, query, 3, 0.1, 0.5)
    write_case(out_dir, "conv4_reptile", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": "all", "algorithm": "reptile", "inner_lr": 0.1, "inner_steps": 3,
                "outer_step": 0.5, "inner_data": "support+query"})

    embedder = Conv4(hidden, 0).double()
    for kind in ["protonet", "matchingnet"]:
        params = conv4_params(gen, hidden, 0)
        support, query = image_task(gen, ways, shots, queries, 1)
        expected = metric_case(embedder, params, support, query, ways, kind)
        write_case(out_dir, f"conv4_{kind}", params, support, query, expected,
                   {**shape, "tasks": 1, "inner_params": "none", "algorithm": kind, "embed": "support+query"})

    # Its own generator, so that adding this case left every earlier file's bytes unchanged.
    own = torch.Generator().manual_seed(20160613)
    params = conv4_params(own, hidden, 0)
    support, query = image_task(own, ways, shots, queries, 1)
    expected = metric_case(embedder, params, support, query, ways, "matchingnet", normalize="support")
    write_case(out_dir, "conv4_matchingnet_support", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": "none", "algorithm": "matchingnet", "embed": "support+query", "normalize": "support"})


def sinusoid_cases(out_dir, gen):
    sizes = [1, 40, 40, 1]
    model = MLP(sizes).double()
    for algorithm in ["maml", "fomaml"]:
        for steps in [1, 3]:
            params = mlp_params(gen, sizes)
            support, query = sine_task(gen)
            expected = maml_case(model, params, support, query, "mse", steps, 0.01, list(params), algorithm == "fomaml", 1)
            write_case(out_dir, f"sinusoid_mlp_{algorithm}_{steps}step", params, support, query, expected,
                       {"algorithm": algorithm, "model": "mlp", "sizes": ",".join(map(str, sizes)), "loss": "mse", "inner_lr": 0.01,
                        "inner_steps": steps, "inner_params": "all", "tasks": 1})


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "golden", "cases")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20170301)
    conv4_cases(out_dir, gen)
    sinusoid_cases(out_dir, gen)


if __name__ == "__main__":
    main()
