"""Single-step parity: one PyTorch meta-step from kshot's parameters and Adam state after iteration N (a kshot
checkpoint), on the exported meta-batch N + 1, written for tools/parity/compare_params.py to set beside
kshot's own step N + 1 (`kshot train --resume` to N + 1). Adam-trained methods only (Reptile's outer SGD
keeps no state to carry over). tools/parity/README.md says how.

With --float64 the step runs in double precision (parameters, Adam state and images converted): the
exact step, to measure how far each float32 implementation lands from it.

Usage: /usr/bin/python3 tools/parity/one_step.py DIR KSHOT_N.safetensors OUT.safetensors [--float64]
(DIR: the exported files, with at least N + 1 meta-batches)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
import torch_reference as reference  # noqa: E402
from kshot_torch import load_kshot, read_safetensors, write_safetensors  # noqa: E402


def main():
    folder, before, out = sys.argv[1:4]
    dtype = torch.float64 if "--float64" in sys.argv[4:] else torch.float32
    torch.set_num_threads(1)
    run = json.load(open(os.path.join(folder, "run.json")))
    model, others, metadata = load_kshot(before, dtype=dtype)
    tensors, _ = read_safetensors(before)
    method = reference.Method(run, model, others)
    if not hasattr(method, "optimizer"):
        raise SystemExit(f"{run['algorithm']}: no Adam state to carry over")
    named = {**method.params, **getattr(method, "head", {}), **{f"lr.{n}": a for n, a in getattr(method, "alpha", {}).items()}}
    step = torch.tensor(float(tensors["optimizer.step"].item()))
    for name, p in named.items():
        method.optimizer.state[p] = {"step": step.clone(), "exp_avg": tensors[f"optimizer.exp_avg.{name}"].to(dtype),
                                     "exp_avg_sq": tensors[f"optimizer.exp_avg_sq.{name}"].to(dtype)}
    n, t = int(metadata["iteration"]), run["train"]
    classes = reference.source_classes(os.path.join(folder, "train-classes.bin"), n + 1, t["tasks"], t["ways"])
    for it, batch in enumerate(reference.episodes(os.path.join(folder, "train.bin"), n + 1, t["tasks"], t["ways"], t["shots"], t["queries"], run["image"])):
        if it == n:
            batch = tuple(b.to(dtype) if b.is_floating_point() else b for b in batch)
            method.step(batch, classes[it], reference.learning_rate(run["schedule"], run["optimizer"]["lr"], it, run["iterations"]))
    write_safetensors(out, {name: p.detach().float() for name, p in named.items()}, {})


if __name__ == "__main__":
    main()
