"""Writes kshot's golden cases (test/golden/cases/*.safetensors): PyTorch autograd in float64, from float32
inputs, for every meta-learning algorithm kshot implements. test/golden/golden-case.ts reads a case from
its metadata alone and checks kshot's result against the expected.* tensors.

usage: /usr/bin/python3 tools/golden/generate.py [OUT_DIR]   (default test/golden/cases)
The layout of a case and the conventions are in tools/golden/README.md.
"""
import os
import sys

import math

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from kshot_torch import MLP, Conv4, batch_norm, write_safetensors  # noqa: E402

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


# float32 backends sum in other orders than PyTorch's float64: a pre-activation within rounding of 0, or two
# max-pool candidates within rounding of each other, can go the other way there and send the gradient
# elsewhere. Cases are redrawn until every ReLU input and every max-pool winner's lead is at least this far.
MARGIN = 2e-6


def conv4_margin(params, x):
    """The smallest |ReLU input| and the smallest lead of a max-pool winner over its runner-up (float64)."""
    h, worst = x.double(), float("inf")
    theta = {n: p.detach().double() for n, p in params.items()}
    for i in range(4):
        h = F.conv2d(h, theta[f"conv{i}.weight"], theta[f"conv{i}.bias"], padding=1)
        h = batch_norm(h, theta[f"bn{i}.weight"], theta[f"bn{i}.bias"])
        worst = min(worst, float(h.abs().min()))
        r = F.relu(h)
        n, c, height, width = r.shape
        windows = r[:, :, :height // 2 * 2, :width // 2 * 2].reshape(n, c, height // 2, 2, width // 2, 2)
        top = windows.permute(0, 1, 2, 4, 3, 5).reshape(n, c, height // 2, width // 2, 4).topk(2, dim=-1).values
        lead = (top[..., 0] - top[..., 1])[top[..., 0] > 0]
        if lead.numel():
            worst = min(worst, float(lead.min()))
        h = F.max_pool2d(r, 2)
    return worst


def conditioned(draw):
    """Calls draw() -> (params, support, query, expected) until the case is far from every ReLU kink and
    max-pool tie, at the starting and (where the case has them) the adapted parameters."""
    for _ in range(100):
        params, support, query, expected = draw()
        adapted = {n[len("expected.adapted."):]: v for n, v in expected.items() if n.startswith("expected.adapted.")}
        # Per task: the support and query batches, and both in one batch (the metric methods embed them so).
        tasks = zip(support[0], query[0]) if support[0].dim() == 5 else [(support[0], query[0])]
        images = [x for s, q in tasks for x in (s, q, torch.cat([s, q]))]
        if all(conv4_margin(p, x) >= MARGIN for p in [params] + ([adapted] if adapted else []) for x in images):
            return params, support, query, expected
    raise RuntimeError("no well-conditioned draw in 100 tries")


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


def covariance(z):
    """Unbiased covariance of the rows of z (divided by max(n - 1, 1): zero for one row)."""
    c = z - z.mean(0)
    return c.T @ c / max(z.shape[0] - 1, 1)


def mahalanobis_logits(zs, sy, zq, ways, ridge):
    """Simple CNAPS (Bateni et al. 2020): -(q - mu_k)^T Q_k^-1 (q - mu_k), Q_k = l_k S_k + (1 - l_k) S_task + ridge I."""
    task = covariance(zs)
    eye = torch.eye(zs.shape[1], dtype=zs.dtype)
    logits = []
    for c in range(ways):
        zc = zs[sy == c]
        lam = zc.shape[0] / (zc.shape[0] + 1)
        precision = torch.linalg.inv(lam * covariance(zc) + (1 - lam) * task + ridge * eye)
        d = zq - zc.mean(0)
        logits.append(-((d @ precision) * d).sum(-1))
    return torch.stack(logits, dim=1)


def metric_case(model, params, support, query, ways, kind, ridge=None, normalize="both"):
    """ProtoNet (Euclidean or, with a ridge, Mahalanobis) / Matching Net: support and query embedded in one
    batch; returns the loss and its gradients. Matching Net's `normalize`: "both" (a true cosine) or
    "support" (only the support embeddings at unit length)."""
    theta = {n: leaf64(p) for n, p in params.items()}
    s = support[0].shape[0]
    z = model.apply_params(theta, torch.cat([support[0], query[0]]).double())
    zs, zq = z[:s], z[s:]
    sy, qy = support[1].long(), query[1].long()
    if kind == "protonet" and ridge is not None:
        loss = F.cross_entropy(mahalanobis_logits(zs, sy, zq, ways, ridge), qy)
    elif kind == "protonet":
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
        def draw():
            params = conv4_params(gen, hidden, ways)
            support, query = image_task(gen, ways, shots, queries, tasks)
            return params, support, query, maml_case(model, params, support, query, "cross_entropy", steps, 0.4, list(params),
                                                     algorithm == "fomaml", tasks)
        params, support, query, expected = conditioned(draw)
        every = list(params)
        write_case(out_dir, f"conv4_{name}", params, support, query, expected,
                   {**shape, "tasks": tasks, "inner_params": "all", "algorithm": algorithm, "inner_lr": 0.4, "inner_steps": steps})

    def draw_metasgd():
        params = conv4_params(gen, hidden, ways)
        support, query = image_task(gen, ways, shots, queries, 1)
        draw_metasgd.lrs = {n: (0.1 + 0.5 * torch.rand(p.shape, generator=gen)).to(torch.float32) for n, p in params.items()}
        return params, support, query, maml_case(model, params, support, query, "cross_entropy", 1, None, every, False, 1, draw_metasgd.lrs)
    params, support, query, expected = conditioned(draw_metasgd)
    lrs = draw_metasgd.lrs
    write_case(out_dir, "conv4_metasgd_1step", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": "all", "algorithm": "metasgd", "inner_lr": "tensors", "inner_steps": 1}, lrs)

    head = ["head.weight", "head.bias"]

    def draw_anil():
        params = conv4_params(gen, hidden, ways)
        support, query = image_task(gen, ways, shots, queries, 1)
        return params, support, query, maml_case(model, params, support, query, "cross_entropy", 1, 0.4, head, False, 1)
    params, support, query, expected = conditioned(draw_anil)
    write_case(out_dir, "conv4_anil", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": ",".join(head), "algorithm": "anil", "inner_lr": 0.4, "inner_steps": 1})

    def draw_reptile():
        params = conv4_params(gen, hidden, ways)
        support, query = image_task(gen, ways, shots, queries, 1)
        return params, support, query, reptile_case(model, params, support, query, 3, 0.1, 0.5)
    params, support, query, expected = conditioned(draw_reptile)
    write_case(out_dir, "conv4_reptile", params, support, query, expected,
               {**shape, "tasks": 1, "inner_params": "all", "algorithm": "reptile", "inner_lr": 0.1, "inner_steps": 3,
                "outer_step": 0.5, "inner_data": "support+query"})

    embedder = Conv4(hidden, 0).double()
    for kind in ["protonet", "matchingnet"]:
        def draw_metric():
            params = conv4_params(gen, hidden, 0)
            support, query = image_task(gen, ways, shots, queries, 1)
            return params, support, query, metric_case(embedder, params, support, query, ways, kind)
        params, support, query, expected = conditioned(draw_metric)
        write_case(out_dir, f"conv4_{kind}", params, support, query, expected,
                   {**shape, "tasks": 1, "inner_params": "none", "algorithm": kind, "embed": "support+query"})

    # Its own generator, so that adding this case left every earlier file's bytes unchanged.
    own = torch.Generator().manual_seed(20160613)
    def draw_support_only():
        params = conv4_params(own, hidden, 0)
        support, query = image_task(own, ways, shots, queries, 1)
        return params, support, query, metric_case(embedder, params, support, query, ways, "matchingnet", normalize="support")
    params, support, query, expected = conditioned(draw_support_only)
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


def mahalanobis_cases(out_dir, gen):
    """ProtoNet with the Mahalanobis metric; 3 shots so that the class covariances are not zero."""
    hidden, ways, shots, queries = 8, 5, 3, 2
    params = conv4_params(gen, hidden, 0)
    support, query = image_task(gen, ways, shots, queries, 1)
    expected = metric_case(Conv4(hidden, 0).double(), params, support, query, ways, "protonet", ridge=1.0)
    write_case(out_dir, "conv4_protonet_mahalanobis", params, support, query, expected,
               {"model": "conv4", "hidden": hidden, "ways": ways, "shots": shots, "queries": queries, "loss": "cross_entropy",
                "tasks": 1, "inner_params": "none", "algorithm": "protonet", "metric": "mahalanobis", "ridge": 1.0,
                "embed": "support+query"})


def preprocess(g, p=10.0):
    """The gradient preprocessing of Andrychowicz et al. 2016 (appendix A): two features per element, constants."""
    g = g.detach()
    a = g.abs()
    large = a >= math.exp(-p)
    first = torch.where(large, torch.log(torch.clamp(a, min=math.exp(-p))) / p, torch.full_like(g, -1.0))
    return first, torch.where(large, torch.sign(g), g * math.exp(p))


def lstm_optimizer(weights, hidden, layers, scale=0.1):
    """The coordinate-wise LSTM optimizer: torch.nn.LSTM(2, hidden, layers) then Linear(hidden, 1), times `scale`.
    Returns the step function and its parameters by kshot's names (float64 leaves: the LSTM's own parameters,
    loaded with `weights`)."""
    lstm = torch.nn.LSTM(2, hidden, layers).double()
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            p.copy_(weights[f"lstm.{name}"].double())
    phi = {f"lstm.{name}": p for name, p in lstm.named_parameters()}
    phi.update({n: leaf64(weights[n]) for n in ["output.weight", "output.bias"]})

    def step(g, state):
        f1, f2 = preprocess(g)
        x = torch.stack([f1.reshape(-1), f2.reshape(-1)], 1)[None]
        n = x.shape[1]
        h, c = state if state is not None else (torch.zeros(layers, n, hidden, dtype=torch.float64),) * 2
        out, (h, c) = lstm(x, (h, c))
        update = out[0] @ phi["output.weight"].T + phi["output.bias"]
        return (scale * update).reshape(g.shape), (h, c)
    return step, phi


def lstm_optimizer_weights(gen, hidden, layers):
    bound = 1 / math.sqrt(hidden)
    shapes = {}
    for k in range(layers):
        shapes.update({f"lstm.weight_ih_l{k}": [4 * hidden, 2 if k == 0 else hidden], f"lstm.weight_hh_l{k}": [4 * hidden, hidden],
                       f"lstm.bias_ih_l{k}": [4 * hidden], f"lstm.bias_hh_l{k}": [4 * hidden]})
    shapes.update({"output.weight": [1, hidden], "output.bias": [1]})
    return {n: ((torch.rand(shape, generator=gen) * 2 - 1) * bound).to(torch.float32) for n, shape in shapes.items()}


def lstm_optimizer_case(out_dir, gen):
    """One truncation of the LSTM optimizer's meta-training on random quadratics f(θ) = ‖Wθ − y‖²: the mean over
    the steps of the mean loss over the functions after each step, its gradient with respect to the weights (the
    optimizee's gradients are constants), and where θ ends."""
    hidden, layers, functions, dim, steps = 5, 2, 3, 4, 4
    weights = lstm_optimizer_weights(gen, hidden, layers)
    w = torch.randn((functions, dim, dim), generator=gen).to(torch.float32)
    y = torch.randn((functions, dim), generator=gen).to(torch.float32)
    theta0 = (0.5 * torch.randn((functions, dim), generator=gen)).to(torch.float32)
    optimizer, phi = lstm_optimizer(weights, hidden, layers)
    losses = lambda th: (((w.double() @ th[..., None])[..., 0] - y.double()) ** 2).sum(-1)  # noqa: E731
    theta, state, total = theta0.double(), None, 0
    for _ in range(steps):
        t = theta.detach().requires_grad_(True)
        g, = torch.autograd.grad(losses(t).sum(), [t])
        update, state = optimizer(g, state)
        theta = theta + update
        total = total + losses(theta).mean()
    meta_loss = total / steps
    grads = torch.autograd.grad(meta_loss, [phi[n] for n in weights])
    tensors = {f"param.{n}": t for n, t in weights.items()}
    tensors.update({"quadratic.w": w, "quadratic.y": y, "quadratic.theta": theta0, "expected.loss": meta_loss.detach().reshape(1),
                    "expected.adapted.theta": theta.detach()})
    tensors.update({f"expected.grad.{n}": g for n, g in zip(weights, grads)})
    meta = {"case": "lstm_optimizer_quadratic", "generator": GENERATOR, "algorithm": "lstm-optimizer", "hidden": hidden, "layers": layers,
            "tasks": functions, "inner_steps": steps, "param_order": ",".join(weights)}
    write_safetensors(os.path.join(out_dir, "lstm_optimizer_quadratic.safetensors"), tensors, {k: str(v) for k, v in meta.items()})
    print(f"lstm_optimizer_quadratic: {len(tensors)} tensors")


def metalstm_case(out_dir, gen):
    """One meta-step of the Meta-Learner LSTM (Ravi & Larochelle 2017, Eq. 2) on Conv-4, two tasks: c_t = f_t ⊙ c_{t−1}
    − i_t ⊙ ∇_t with i_t, f_t = σ(W · [∇̃, L̃, θ_{t−1}, gate_{t−1}] + b) (the previous gate left out at the first step),
    the support gradients and losses constants; the mean query loss and its gradient with respect to θ_0 and the gates."""
    hidden, ways, shots, queries, tasks, steps = 8, 5, 1, 2, 2, 2
    model = Conv4(hidden, ways).double()
    params = conv4_params(gen, hidden, ways)
    gates = {"metalstm.input_gate.weight": 0.1 * torch.randn(6, generator=gen), "metalstm.input_gate.bias": torch.tensor([-2.0]),
             "metalstm.forget_gate.weight": 0.1 * torch.randn(6, generator=gen), "metalstm.forget_gate.bias": torch.tensor([4.0])}
    gates = {n: g.to(torch.float32) for n, g in gates.items()}
    support, query = image_task(gen, ways, shots, queries, tasks)
    theta0 = {n: leaf64(p) for n, p in params.items()}
    gate = {n: leaf64(g) for n, g in gates.items()}
    losses = []
    for t in range(tasks):
        sx, sy, qx, qy = support[0][t].double(), support[1][t].long(), query[0][t].double(), query[1][t].long()
        theta, previous = dict(theta0), {n: {"input": None, "forget": None} for n in theta0}
        for _ in range(steps):
            frozen = {n: p.detach().requires_grad_(True) for n, p in theta.items()}
            loss = F.cross_entropy(model.apply_params(frozen, sx), sy)
            grads = torch.autograd.grad(loss, list(frozen.values()))
            l1, l2 = preprocess(loss)
            nxt = {}
            for (n, p), g in zip(theta.items(), grads):
                g1, g2 = preprocess(g)

                def value(kind):
                    wt, b = gate[f"metalstm.{kind}_gate.weight"], gate[f"metalstm.{kind}_gate.bias"]
                    z = wt[0] * g1 + wt[1] * g2 + wt[2] * l1 + wt[3] * l2 + wt[4] * p + b
                    return torch.sigmoid(z if previous[n][kind] is None else z + wt[5] * previous[n][kind])
                i, f = value("input"), value("forget")
                nxt[n] = f * p - i * g.detach()
                previous[n] = {"input": i, "forget": f}
            theta = nxt
        losses.append(F.cross_entropy(model.apply_params(theta, qx), qy))
    query_loss = torch.stack(losses).mean()
    wrt = list(theta0.values()) + list(gate.values())
    grads = torch.autograd.grad(query_loss, wrt)
    expected = {"expected.query_loss": query_loss.detach().reshape(1)}
    expected.update({f"expected.grad.{n}": g for n, g in zip(list(theta0) + list(gate), grads)})
    write_case(out_dir, "conv4_metalstm_2step", {**params, **gates}, support, query, expected,
               {"model": "conv4", "hidden": hidden, "ways": ways, "shots": shots, "queries": queries, "loss": "cross_entropy", "tasks": tasks,
                "inner_params": "all", "algorithm": "metalstm", "inner_steps": steps, "param_order": ",".join(params)})


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "golden", "cases")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20170301)
    conv4_cases(out_dir, gen)
    sinusoid_cases(out_dir, gen)
    mahalanobis_cases(out_dir, gen)
    # Learned update rules: a generator of their own, so the cases above keep their bytes.
    learned = torch.Generator().manual_seed(20161205)
    lstm_optimizer_case(out_dir, learned)
    metalstm_case(out_dir, learned)


if __name__ == "__main__":
    main()
