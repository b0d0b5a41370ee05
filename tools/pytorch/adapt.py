"""What kshot's `Learner.adapt` and `Learner.predict` compute, in PyTorch, for a Conv-4 checkpoint.

- MAML family: `steps` full-batch SGD steps of size `lr` on the support set (BatchNorm with the batch's
  statistics); then the support set's BatchNorm statistics under the adapted weights are kept, and every
  prediction normalises with them: probabilities = softmax(logits).
- ProtoNet: prototypes = class means of the support embeddings (support statistics kept the same way);
  probabilities = softmax(−squared distances to the prototypes).
"""
import torch
import torch.nn.functional as F


def adapt_maml(model, x, y, steps, lr, adapt=None):
    """(adapted parameter dict, support loss under it, support BatchNorm statistics under it)."""
    fast = {n: p.detach().clone() for n, p in model.named_parameters()}
    names = adapt or list(fast)
    for _ in range(steps):
        live = {n: (p.requires_grad_(True) if n in names else p) for n, p in fast.items()}
        loss = F.cross_entropy(model.apply_params(live, x), y.long())
        grads = torch.autograd.grad(loss, [live[n] for n in names])
        fast = {n: p.detach() for n, p in live.items()}
        for n, g in zip(names, grads):
            fast[n] = fast[n] - lr * g
    stats = []
    with torch.no_grad():
        loss = F.cross_entropy(model.apply_params(fast, x, collect=stats), y.long())
    return fast, loss, stats


def predict_maml(model, fast, stats, x):
    with torch.no_grad():
        return torch.softmax(model.apply_params(fast, x, stats=stats), dim=-1)


def adapt_protonet(model, x, y, ways):
    """(prototypes [ways, d], support loss, support BatchNorm statistics)."""
    stats = []
    with torch.no_grad():
        z = model(x, collect=stats)
        prototypes = torch.stack([z[y == c].mean(0) for c in range(ways)])
        loss = F.cross_entropy(-((z[:, None, :] - prototypes[None]) ** 2).sum(-1), y.long())
    return prototypes, loss, stats


def predict_protonet(model, prototypes, stats, x):
    with torch.no_grad():
        z = model(x, stats=stats)
        return torch.softmax(-((z[:, None, :] - prototypes[None]) ** 2).sum(-1), dim=-1)
