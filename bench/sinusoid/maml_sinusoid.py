#!/usr/bin/env python3
"""MAML on the sinusoid (Finn et al. 2017, section 5.1) in PyTorch: the peer of
`kshot train --algo maml --dataset sinusoid` + `kshot eval`, on the same protocol as kshot's recipe
(src/cli/defaults.ts), so the two MSEs can be compared on one machine.

Protocol: y = A sin(x - phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]; MLP 1-40-40-1 with ReLU and
PyTorch's default Linear initialisation (kshot's `uniformFanIn`); K = 10 support and 10 query points per
task; one second-order inner SGD step of 0.01 on the support MSE; meta-batch 25; Adam 1e-3 on the mean of
the tasks' query MSEs; 70,000 iterations. Evaluation: 600 new tasks, K = 10 support points, 100 query
points, MSE after 1, 5 and 10 inner steps of 0.01, with the 95% interval (1.96 sigma / sqrt(600)).

The meta-batch runs as one batched computation (each parameter expanded to [T, ...]; the gradient with
respect to the expanded tensor is the per-task gradient), as kshot does.

Usage: python3 bench/sinusoid/maml_sinusoid.py [--iterations 70000] [--seed 0] [--threads 1]
Prints one JSON line: {"peer":"pytorch","mse":{"1":..,"5":..,"10":..},"ci95":{..},"iterations":..,"seconds":..}
"""
import argparse
import json
import math
import time

import torch

SIZES = [1, 40, 40, 1]
K, QUERIES, META_BATCH, INNER_LR, META_LR = 10, 10, 25, 0.01, 1e-3
EVAL_TASKS, EVAL_QUERIES, EVAL_STEPS = 600, 100, (1, 5, 10)


def sample_tasks(tasks, points, gen):
    """x, y [tasks, points, 1] for `tasks` random sines, and the sines' (amplitude, phase)."""
    amplitude = torch.empty(tasks, 1, 1).uniform_(0.1, 5.0, generator=gen)
    phase = torch.empty(tasks, 1, 1).uniform_(0.0, math.pi, generator=gen)
    x = torch.empty(tasks, points, 1).uniform_(-5.0, 5.0, generator=gen)
    return x, amplitude * torch.sin(x - phase), (amplitude, phase)


def points_of(sine, points, gen):
    amplitude, phase = sine
    x = torch.empty(amplitude.shape[0], points, 1).uniform_(-5.0, 5.0, generator=gen)
    return x, amplitude * torch.sin(x - phase)


def init_params(gen):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        params.append(torch.empty(fan_out, fan_in).uniform_(-bound, bound, generator=gen).requires_grad_())
        params.append(torch.empty(fan_out).uniform_(-bound, bound, generator=gen).requires_grad_())
    return params


def forward(task_params, x):
    """task_params: per-task weights [T, out, in] and biases [T, out]; x [T, N, 1]."""
    h = x
    last = len(task_params) - 2
    for j in range(0, len(task_params), 2):
        w, b = task_params[j], task_params[j + 1]
        h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
        if j < last:
            h = torch.relu(h)
    return h


def task_mse(task_params, x, y):
    """[T]: each task's mean squared error."""
    return ((forward(task_params, x) - y) ** 2).mean(dim=(1, 2))


def adapt(task_params, x, y, steps, create_graph):
    for _ in range(steps):
        grads = torch.autograd.grad(task_mse(task_params, x, y).sum(), task_params, create_graph=create_graph)
        task_params = [p - INNER_LR * g for p, g in zip(task_params, grads)]
    return task_params


def expand(params, tasks):
    return [p.unsqueeze(0).expand(tasks, *p.shape) for p in params]


def train(params, iterations, gen):
    optimizer = torch.optim.Adam(params, lr=META_LR)
    for _ in range(iterations):
        x, y, sine = sample_tasks(META_BATCH, K, gen)
        xq, yq = points_of(sine, QUERIES, gen)
        fast = adapt(expand(params, META_BATCH), x, y, 1, create_graph=True)
        loss = task_mse(fast, xq, yq).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def evaluate(params, gen):
    x, y, sine = sample_tasks(EVAL_TASKS, K, gen)
    xq, yq = points_of(sine, EVAL_QUERIES, gen)
    mse, ci95 = {}, {}
    fast, done = [p.detach().requires_grad_() for p in expand(params, EVAL_TASKS)], 0
    for steps in EVAL_STEPS:
        fast = adapt(fast, x, y, steps - done, create_graph=False)
        done = steps
        with torch.no_grad():
            errors = task_mse(fast, xq, yq)
        mse[str(steps)] = errors.mean().item()
        ci95[str(steps)] = 1.96 * errors.std(unbiased=False).item() / math.sqrt(EVAL_TASKS)
    return mse, ci95


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=70000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    params = init_params(gen)
    start = time.perf_counter()
    train(params, args.iterations, gen)
    seconds = time.perf_counter() - start
    mse, ci95 = evaluate(params, gen)
    print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "mse": mse, "ci95": ci95,
                      "iterations": args.iterations, "seconds": round(seconds, 1)}))


if __name__ == "__main__":
    main()
