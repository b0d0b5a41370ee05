"""The PyTorch side of the parity harness (tools/parity/README.md): trains ProtoNet, Matching Networks, MAML or
FOMAML from the initial parameters and on the episodes that tools/parity/export-episodes.ts wrote for a
`kshot train` run, with the same protocol (episode shapes, meta-batch, Adam, schedule, inner loop), and
validates on the run's validation episodes at the same iterations. Prints one JSON line per validation
({"iteration", "accuracy", "ci95", "seconds"}) and a last summary line.

Written from the papers, independently of kshot's TypeScript: support and query are embedded in one batch
for the metric methods (as Snell et al.'s and the Matching Networks reference code do); MAML's inner loop
uses the support batch's BatchNorm statistics and its query loss the query batch's (as Finn et al.'s
code); evaluation adapts with `steps` first-order steps and normalises queries with the support set's
statistics under the adapted weights (tools/pytorch/adapt.py).

Usage: /usr/bin/python3 tools/parity/torch_reference.py DIR --eval-every K [--threads 1]
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
from adapt import adapt_maml, predict_maml  # noqa: E402
from kshot_torch import load_kshot  # noqa: E402


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


def task_loss(model, params, kind, options, sx, sy, qx, qy, ways):
    if kind in ("protonet", "matchingnet"):
        scores = metric_scores(model, params, kind, options, sx, sy, qx, ways)
        if kind == "protonet":
            return F.cross_entropy(scores, qy)
        return -torch.log(torch.clamp(scores[torch.arange(len(qy)), qy], min=1e-12)).mean()
    first_order = kind == "fomaml"
    fast = dict(params)
    for _ in range(int(options["innerSteps"])):
        inner = F.cross_entropy(model.apply_params(fast, sx), sy)
        grads = torch.autograd.grad(inner, list(fast.values()), create_graph=not first_order)
        fast = {n: p - options["innerLr"] * (g.detach() if first_order else g) for (n, p), g in zip(fast.items(), grads)}
    return F.cross_entropy(model.apply_params(fast, qx), qy)


def validate(model, params, kind, options, run, path):
    v = run["validation"]
    accs = []
    for sx, sy, qx, qy in episodes(path, v["episodes"], 1, v["ways"], v["shots"], v["queries"], run["image"]):
        sx, sy, qx, qy = sx[0], sy[0], qx[0], qy[0]
        if kind in ("protonet", "matchingnet"):
            with torch.no_grad():
                scores = metric_scores(model, params, kind, options, sx, sy, qx, v["ways"])
        else:
            model.load_state_dict({n: p.detach() for n, p in params.items()}, strict=False)
            fast, _, stats = adapt_maml(model, sx, sy, v["steps"], v["lr"])
            scores = predict_maml(model, fast, stats, qx)
        accs.append((scores.argmax(-1) == qy).double().mean().item())
    a = np.array(accs)
    return float(a.mean()), float(1.96 * a.std() / math.sqrt(len(a)))


def learning_rate(schedule, base, iteration):
    if schedule["kind"] == "step":
        return base * schedule["factor"] ** (iteration // schedule["every"])
    if schedule["kind"] != "constant":
        raise SystemExit(f"schedule {schedule['kind']} is not implemented here")
    return base


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--eval-every", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    run = json.load(open(os.path.join(a.dir, "run.json")))
    kind, options, t = run["algorithm"], run["options"], run["train"]
    if kind not in ("protonet", "matchingnet", "maml", "fomaml"):
        raise SystemExit(f"{kind}: not in the PyTorch reference (protonet, matchingnet, maml, fomaml)")
    if kind in ("maml", "fomaml") and options.get("innerParams") not in (None, "") and len(options["innerParams"].split(",")) < 10:
        raise SystemExit("only whole-network inner loops here")
    model, _, _ = load_kshot(os.path.join(a.dir, "init.safetensors"))
    params = {n: p.detach().clone().requires_grad_(True) for n, p in model.named_parameters()}
    opt = run["optimizer"]
    adam = torch.optim.Adam(list(params.values()), lr=opt["lr"], betas=(0.9, 0.999), eps=1e-8)
    val_path = os.path.join(a.dir, "validation.bin")
    train_seconds = 0.0
    it = 0
    for sx, sy, qx, qy in episodes(os.path.join(a.dir, "train.bin"), run["iterations"], t["tasks"], t["ways"], t["shots"], t["queries"], run["image"]):
        start = time.perf_counter()
        for g in adam.param_groups:
            g["lr"] = learning_rate(run["schedule"], opt["lr"], it)
        adam.zero_grad()
        loss = sum(task_loss(model, params, kind, options, sx[i], sy[i], qx[i], qy[i], t["ways"]) for i in range(t["tasks"])) / t["tasks"]
        loss.backward()
        adam.step()
        train_seconds += time.perf_counter() - start
        it += 1
        if it % a.eval_every == 0:
            acc, ci = validate(model, params, kind, options, run, val_path)
            print(json.dumps({"iteration": it, "accuracy": acc, "ci95": ci, "seconds": round(train_seconds, 2), "loss": loss.item()}), flush=True)
    print(json.dumps({"done": True, "iterations": it, "seconds": round(train_seconds, 2), "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
