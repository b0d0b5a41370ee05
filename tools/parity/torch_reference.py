"""The PyTorch side of the parity harness (tools/parity/README.md): trains ProtoNet, Matching Networks, MAML,
FOMAML, Meta-SGD, ANIL, Reptile or the fine-tuning baseline from the initial parameters and on the episodes
that tools/parity/export-episodes.ts wrote for a `kshot train` run, with the same protocol (episode shapes,
meta-batch, meta-optimizer, schedule, inner loop), and validates on the run's validation episodes at the
same iterations. Prints one JSON line per validation ({"iteration", "accuracy", "ci95", "seconds"}) and a
last summary line.

Written from the papers, independently of kshot's TypeScript:
- ProtoNet, Matching Networks (Snell et al. 2017; Vinyals et al. 2016): support and query are embedded in
  one batch (as Snell et al.'s and the Matching Networks reference code do).
- MAML, FOMAML (Finn et al. 2017): the inner loop uses the support batch's BatchNorm statistics and the
  query loss the query batch's (as Finn et al.'s code); the meta-gradient flows through the inner
  gradients, or not (first order).
- Meta-SGD (Li et al. 2017): θ' = θ − α ∘ ∇L_support(θ) with a learned α per parameter element; θ and α
  are meta-trained together by Adam, through the inner gradient (second order). α starts where kshot's
  run starts it (`lr.<name>` in init.safetensors: MAML's 0.4 everywhere; the paper draws it at random).
- ANIL (Raghu et al. 2020): only the head (`head.weight`, `head.bias`) adapts in the inner loop; the outer
  loop trains every parameter, second order through the head's inner steps.
- Reptile (Nichol et al. 2018): per task, `innerSteps` plain SGD steps from θ on the support and query
  examples together, in class-balanced minibatches of `innerBatch` (step s takes examples s·m … s·m + m − 1
  of each class, m = innerBatch / ways, support first); then θ ← θ + ε(mean_t φ_t − θ) with ε annealed
  linearly from the meta learning rate to 0 over the run. The paper's inner optimizer is Adam (β1 = 0) and
  its minibatches random: the harness follows kshot's protocol (plain SGD, the same examples per step).
- Fine-tuning baseline (Chen et al. 2019, "Baseline"): pre-training is ordinary classification over every
  training class (the head in init.safetensors), with Adam, on one minibatch per iteration: the support and
  query images of the iteration's tasks pooled, each labelled with its source class (train-classes.bin).
  Evaluation trains a new zero-initialised N-way head on the frozen backbone's support features with SGD
  (lr, momentum, steps of the run's options; full batch, no weight decay: kshot's protocol, where the
  authors' code steps on minibatches of 4 with weight decay).
Evaluation, as kshot's validation does for every method that adapts weights: `steps` first-order steps on
the whole support set (Meta-SGD: with its learned α; ANIL: the head only; Reptile: plain SGD; its
`evalBatch` minibatches are refused here unless they hold the whole support set, as 1-shot ones do),
then the query batch normalised with its own BatchNorm statistics (transductive, as the papers' code
evaluates).
`--save FILE` writes the final meta-parameters (kshot's names) for tools/parity/compare_params.py;
`--perturb REL` multiplies every initial parameter by 1 + REL·N(0, 1) first, to measure how far
rounding-sized differences carry a run; `--validate CHECKPOINT` only validates a kshot checkpoint's
parameters (the same number as kshot's validation, when the protocols agree).

Usage: /usr/bin/python3 tools/parity/torch_reference.py DIR --eval-every K [--threads 1] [--save FILE] [--perturb REL [--perturb-seed S]]
       /usr/bin/python3 tools/parity/torch_reference.py DIR --eval-every K --validate KSHOT.safetensors
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from kshot_torch import load_kshot, write_safetensors  # noqa: E402

METHODS = ("protonet", "matchingnet", "maml", "fomaml", "metasgd", "anil", "reptile", "finetune")
HEAD = ("head.weight", "head.bias")


def episodes(path, count, tasks, ways, shots, queries, image):
    """Yields (support x [T, N·K, C, H, W], support y [T, N·K], query x, query y) as written by the exporter."""
    pixels = int(np.prod(image))
    sizes = [tasks * ways * shots * pixels, tasks * ways * queries * pixels, tasks * ways * shots, tasks * ways * queries]
    with open(path, "rb") as f:
        for _ in range(count):
            sx, qx, sy, qy = (np.frombuffer(f.read(n), dtype=np.uint8) for n in sizes)
            yield (torch.from_numpy(sx.astype(np.float32) / 255).view(tasks, ways * shots, *image),
                   torch.from_numpy(sy.astype(np.int64)).view(tasks, ways * shots),
                   torch.from_numpy(qx.astype(np.float32) / 255).view(tasks, ways * queries, *image),
                   torch.from_numpy(qy.astype(np.int64)).view(tasks, ways * queries))


def source_classes(path, count, tasks, ways):
    """The source class of each way of each training task, [count, tasks, ways] (train-classes.bin)."""
    return torch.from_numpy(np.fromfile(path, dtype="<i4", count=count * tasks * ways).astype(np.int64)).view(count, tasks, ways)


def unit(v):
    return v / torch.sqrt(torch.clamp((v * v).sum(-1, keepdim=True), min=1e-16))


def metric_scores(model, params, kind, options, sx, sy, qx, ways):
    """Query scores of one task: ProtoNet logits, or Matching Networks' class probabilities."""
    z = model.apply_params(params, torch.cat([sx, qx]))
    zs, zq = z[: len(sx)], z[len(sx):]
    if kind == "protonet":
        protos = torch.stack([zs[sy == c].mean(0) for c in range(ways)])
        return -((zq[:, None, :] - protos[None]) ** 2).sum(-1)
    q = unit(zq) if options.get("normalize", "both") == "both" else zq
    attention = torch.softmax(q @ unit(zs).T, dim=-1)
    return attention @ F.one_hot(sy, ways).to(attention.dtype)


def sgd_steps(model, params, names, x, y, steps, lr, order):
    """`steps` gradient steps on the mean cross-entropy of (x, y) of the parameters `names` (lr: a number, or a
    tensor per name: Meta-SGD's α). order 2: differentiable through the inner gradients (MAML); 1: the
    gradients are constants, the path from `params` is kept (FOMAML); 0: no graph at all (adaptation)."""
    fast = dict(params) if order else {n: p.detach() for n, p in params.items()}
    for _ in range(steps):
        if not order:
            fast = {n: (p.detach().requires_grad_(True) if n in names else p) for n, p in fast.items()}
        loss = F.cross_entropy(model.apply_params(fast, x), y)
        grads = torch.autograd.grad(loss, [fast[n] for n in names], create_graph=order == 2)
        for n, g in zip(names, grads):
            fast[n] = fast[n] - (lr[n] if isinstance(lr, dict) else lr) * (g if order == 2 else g.detach())
    return fast if order else {n: p.detach() for n, p in fast.items()}


class Method:
    """One method's meta-parameters, meta-step and evaluation, from a run's exported files."""

    def __init__(self, run, model, others):
        self.kind, self.options, self.run, self.model = run["algorithm"], run["options"], run, model
        o = self.options
        self.params = {n: p.detach().clone().requires_grad_(True) for n, p in model.named_parameters()}
        if self.kind == "metasgd":
            self.alpha = {n[len("lr."):]: t.clone().requires_grad_(True) for n, t in others.items() if n.startswith("lr.")}
            if sorted(self.alpha) != sorted(self.params):
                raise SystemExit("metasgd: expected a learned step size lr.<name> for every parameter")
        if self.kind == "finetune":
            if o.get("headInit", "zeros") != "zeros" or o.get("wholeNetwork"):
                raise SystemExit("finetune: only the zero-initialised head on a frozen backbone here")
            self.head = {n: others[n].clone().requires_grad_(True) for n in HEAD}
        self.adapted = list(self.params)
        if self.kind == "anil":
            self.adapted = o["innerParams"].split(",")
        elif self.kind in ("maml", "fomaml", "metasgd") and sorted((o.get("innerParams") or ",".join(self.params)).split(",")) != sorted(self.params):
            raise SystemExit("only whole-network inner loops here")
        trained = list(self.params.values()) + list(getattr(self, "alpha", {}).values()) + list(getattr(self, "head", {}).values())
        opt = run["optimizer"]
        if opt["kind"] == "adam":
            self.optimizer = torch.optim.Adam(trained, lr=opt["lr"], betas=(0.9, 0.999), eps=1e-8)
        elif self.kind != "reptile":
            raise SystemExit(f"{self.kind} with {opt['kind']}: not in the PyTorch reference")

    def task_loss(self, sx, sy, qx, qy):
        """Query loss of one task after the inner loop (metric methods: none), differentiable in the meta-parameters."""
        k, o, ways = self.kind, self.options, self.run["train"]["ways"]
        if k in ("protonet", "matchingnet"):
            scores = metric_scores(self.model, self.params, k, o, sx, sy, qx, ways)
            if k == "protonet":
                return F.cross_entropy(scores, qy)
            return -torch.log(torch.clamp(scores[torch.arange(len(qy)), qy], min=1e-12)).mean()
        lr = self.alpha if k == "metasgd" else o["innerLr"]
        fast = sgd_steps(self.model, self.params, self.adapted, sx, sy, int(o["innerSteps"]), lr, 1 if k == "fomaml" else 2)
        return F.cross_entropy(self.model.apply_params(fast, qx), qy)

    def step(self, batch, classes, lr):
        """One meta-iteration at meta learning rate `lr`; returns the training loss (Reptile: None)."""
        sx, sy, qx, qy = batch
        tasks = len(sx)
        if self.kind == "reptile":
            return self.reptile_step(batch, lr)
        for g in self.optimizer.param_groups:
            g["lr"] = lr
        self.optimizer.zero_grad()
        if self.kind == "finetune":
            params = {**self.params, **self.head}
            x = torch.cat([sx.flatten(0, 1), qx.flatten(0, 1)])
            labels = torch.cat([torch.gather(classes, 1, sy).flatten(), torch.gather(classes, 1, qy).flatten()])
            loss = F.cross_entropy(self.model.apply_params(params, x), labels)
        else:
            loss = sum(self.task_loss(sx[i], sy[i], qx[i], qy[i]) for i in range(tasks)) / tasks
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def reptile_step(self, batch, epsilon):
        """θ ← θ + ε(mean_t φ_t − θ); the inner loop's loss is not kept (None)."""
        sx, sy, qx, qy = batch
        o, ways = self.options, self.run["train"]["ways"]
        theta = {n: p.detach() for n, p in self.params.items()}
        phis = []
        for t in range(len(sx)):
            # Each class's support then query examples, classes in label order.
            per_class = [(torch.cat([sx[t][sy[t] == c], qx[t][qy[t] == c]]), c) for c in range(ways)]
            phi = theta
            per = len(per_class[0][0])
            m = int(o.get("innerBatch", ways * per)) // ways
            for s in range(int(o["innerSteps"])):
                rows = [(s * m + i) % per for i in range(m)] if m < per else list(range(per))
                x = torch.cat([xs[rows] for xs, _ in per_class])
                y = torch.cat([torch.full((len(rows),), c, dtype=torch.int64) for _, c in per_class])
                phi = sgd_steps(self.model, phi, list(phi), x, y, 1, o["innerLr"], 0)
            phis.append(phi)
        with torch.no_grad():
            for n, p in self.params.items():
                mean = torch.stack([phi[n] for phi in phis]).mean(0)
                p.sub_(epsilon * (p - mean))
        return None

    def scores(self, sx, sy, qx, ways, steps, lr):
        """Query scores of one validation episode, adapted as kshot's validation adapts."""
        k, o = self.kind, self.options
        with torch.no_grad():
            if k in ("protonet", "matchingnet"):
                return metric_scores(self.model, self.params, k, o, sx, sy, qx, ways)
        if k == "finetune":
            with torch.no_grad():
                zs, zq = self.model.apply_params(self.params, sx), self.model.apply_params(self.params, qx)
            w = torch.zeros(ways, zs.shape[1], requires_grad=True)
            b = torch.zeros(ways, requires_grad=True)
            sgd = torch.optim.SGD([w, b], lr=lr, momentum=o["momentum"])
            for _ in range(steps):
                sgd.zero_grad()
                F.cross_entropy(F.linear(zs, w, b), sy).backward()
                sgd.step()
            with torch.no_grad():
                return F.linear(zq, w, b)
        theta = {n: p.detach() for n, p in self.params.items()}
        if k == "reptile" and int(o.get("evalBatch", len(sx))) < len(sx):
            raise SystemExit("reptile: minibatches at evaluation are not in the PyTorch reference (1-shot support sets are one minibatch)")
        step = {n: a.detach() for n, a in self.alpha.items()} if k == "metasgd" else lr
        fast = sgd_steps(self.model, theta, self.adapted, sx, sy, steps, step, 0)
        with torch.no_grad():
            return self.model.apply_params(fast, qx)


def validate(method, run, path):
    v = run["validation"]
    accs = []
    for sx, sy, qx, qy in episodes(path, v["episodes"], 1, v["ways"], v["shots"], v["queries"], run["image"]):
        scores = method.scores(sx[0], sy[0], qx[0], v["ways"], v["steps"], v["lr"])
        accs.append((scores.argmax(-1) == qy[0]).double().mean().item())
    a = np.array(accs)
    return float(a.mean()), float(1.96 * a.std() / math.sqrt(len(a)))


def learning_rate(schedule, base, iteration, iterations):
    """The meta learning rate of 0-based `iteration` of a run of `iterations`."""
    if schedule["kind"] == "step":
        return base * schedule["factor"] ** (iteration // schedule["every"])
    if schedule["kind"] == "linear":
        done = min(1.0, iteration / iterations)
        return base * (1 - done + done * schedule["final"])
    if schedule["kind"] != "constant":
        raise SystemExit(f"schedule {schedule['kind']} is not implemented here")
    return base


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--eval-every", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--save", help="write the final meta-parameters here (safetensors, kshot's names) to compare with kshot's checkpoint")
    ap.add_argument("--perturb", type=float, default=0.0, help="multiply every initial parameter by 1 + REL·N(0, 1): how fast rounding-sized differences grow")
    ap.add_argument("--perturb-seed", type=int, default=1)
    ap.add_argument("--validate", metavar="CHECKPOINT", help="only validate these parameters (a kshot checkpoint of the run) and print the result")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    run = json.load(open(os.path.join(a.dir, "run.json")))
    if run["algorithm"] not in METHODS:
        raise SystemExit(f"{run['algorithm']}: not in the PyTorch reference ({', '.join(METHODS)})")
    model, others, _ = load_kshot(a.validate or os.path.join(a.dir, "init.safetensors"))
    if a.perturb:
        noise = torch.Generator().manual_seed(a.perturb_seed)
        with torch.no_grad():
            for p in list(model.parameters()) + list(others.values()):
                p.mul_(1 + a.perturb * torch.randn(p.shape, generator=noise))
    method = Method(run, model, others)
    if a.validate:
        acc, ci = validate(method, run, os.path.join(a.dir, "validation.bin"))
        print(json.dumps({"checkpoint": a.validate, "accuracy": acc, "ci95": ci}))
        return
    t, opt, n = run["train"], run["optimizer"], run["iterations"]
    classes = source_classes(os.path.join(a.dir, "train-classes.bin"), n, t["tasks"], t["ways"])
    val_path = os.path.join(a.dir, "validation.bin")
    train_seconds = 0.0
    for it, batch in enumerate(episodes(os.path.join(a.dir, "train.bin"), n, t["tasks"], t["ways"], t["shots"], t["queries"], run["image"])):
        start = time.perf_counter()
        loss = method.step(batch, classes[it], learning_rate(run["schedule"], opt["lr"], it, n))
        train_seconds += time.perf_counter() - start
        if (it + 1) % a.eval_every == 0:
            acc, ci = validate(method, run, val_path)
            print(json.dumps({"iteration": it + 1, "accuracy": acc, "ci95": ci, "seconds": round(train_seconds, 2), "loss": loss}), flush=True)
    if a.save:
        alpha = {f"lr.{n}": t for n, t in getattr(method, "alpha", {}).items()}
        write_safetensors(a.save, {**method.params, **alpha, **getattr(method, "head", {})}, {})
    print(json.dumps({"done": True, "iterations": n, "seconds": round(train_seconds, 2), "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
