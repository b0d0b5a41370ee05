"""kshot's models in PyTorch, and kshot checkpoints read and written from PyTorch.

`Conv4` and `MLP` are torch modules whose state-dict names, shapes and layouts are kshot's
(`conv0.weight` OIHW, `bn0.weight`, linear weights `[out, in]`, `head.*`, `fc0.*`), and whose forward is
kshot's: BatchNorm with the statistics of the batch (biased variance, eps 1e-5, no running statistics)
unless statistics are given, ReLU, 2x2 max-pooling. Both forwards are functions of an explicit parameter
dict too (`apply`), which is what MAML's inner loop needs.

`save_kshot` writes a kshot checkpoint (safetensors, float32 tensors, `__metadata__` with
`format: kshot/1`, the model, the algorithm and its options, the evaluation protocol), the same layout
kshot's `ks.io.save` writes; `load_kshot` reads one (kshot's own or this module's) back into a module.

Needs only PyTorch (tested with 1.13) and the standard library.
"""
import json
import math
import os
import struct
import tempfile

import torch
import torch.nn.functional as F
from torch import nn

CHECKPOINT_FORMAT = "kshot/1"
BN_EPS = 1e-5


def batch_norm(x, weight, bias, stats=None, collect=None):
    """BatchNorm over (N, H, W) per channel: the batch's statistics, or `stats` = (mean, variance) when given.
    `collect`, a list, receives the (mean, biased variance) used."""
    if stats is None:
        mean = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False)
    else:
        mean, var = stats
    if collect is not None:
        collect.append((mean, var))
    shape = (1, -1, 1, 1)
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + BN_EPS) * weight.view(shape) + bias.view(shape)


class Conv4(nn.Module):
    """Four blocks of 3x3 convolution (padding 1), BatchNorm, ReLU, 2x2 max-pool; then a linear head of `ways`
    outputs (none when `ways` is 0: an embedding network for ProtoNet and Matching Networks)."""

    def __init__(self, hidden=64, ways=5, channels=1, size=28):
        super().__init__()
        self.config = {"hidden": hidden, "ways": ways, "channels": channels, "size": size}
        spatial = size
        for i in range(4):
            conv = nn.Conv2d(channels if i == 0 else hidden, hidden, 3, padding=1)
            self.add_module(f"conv{i}", conv)
            self.add_module(f"bn{i}", nn.BatchNorm2d(hidden, eps=BN_EPS, track_running_stats=False))
            spatial //= 2
        if ways > 0:
            self.head = nn.Linear(hidden * spatial * spatial, ways)

    def params(self):
        return dict(self.named_parameters())

    def apply_params(self, params, x, stats=None, collect=None):
        """The network on x [N, C, H, W] with the parameter dict `params`; BatchNorm layer i uses stats[i]
        when `stats` is given, else the batch's statistics (appended to `collect` when given)."""
        h = x
        for i in range(4):
            h = F.conv2d(h, params[f"conv{i}.weight"], params[f"conv{i}.bias"], padding=1)
            h = batch_norm(h, params[f"bn{i}.weight"], params[f"bn{i}.bias"], None if stats is None else stats[i], collect)
            h = F.max_pool2d(F.relu(h), 2)
        h = h.flatten(1)
        if "head.weight" in params:
            h = F.linear(h, params["head.weight"], params["head.bias"])
        return h

    def forward(self, x, stats=None, collect=None):
        return self.apply_params(self.params(), x, stats, collect)


class MLP(nn.Module):
    """Linear layers `fc0`, `fc1`, ... of the given sizes (e.g. [1, 40, 40, 1]), ReLU between them."""

    def __init__(self, sizes=(1, 40, 40, 1)):
        super().__init__()
        self.config = {"sizes": ",".join(str(s) for s in sizes)}
        for i in range(len(sizes) - 1):
            self.add_module(f"fc{i}", nn.Linear(sizes[i], sizes[i + 1]))
        self.layers = len(sizes) - 1

    def params(self):
        return dict(self.named_parameters())

    def apply_params(self, params, x, stats=None, collect=None):
        h = x
        for i in range(self.layers):
            h = F.linear(h, params[f"fc{i}.weight"], params[f"fc{i}.bias"])
            if i < self.layers - 1:
                h = F.relu(h)
        return h

    def forward(self, x, stats=None, collect=None):
        return self.apply_params(self.params(), x)


def model_from_config(name, config):
    """The module kshot's metadata `model` + `model_config` describe."""
    if name == "conv4":
        return Conv4(int(config["hidden"]), int(config["ways"]), int(config.get("channels", 1)), int(config.get("size", 28)))
    if name == "mlp":
        sizes = config["sizes"]
        sizes = [int(s) for s in (sizes.split(",") if isinstance(sizes, str) else sizes)]
        return MLP(sizes)
    raise ValueError(f"kshot checkpoint: expected model conv4 or mlp, got {name!r}")


# ---- safetensors --------------------------------------------------------------------------------------

_DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I32": (torch.int32, 4), "I64": (torch.int64, 8)}
_NAMES = {dtype: (name, size) for name, (dtype, size) in _DTYPES.items()}


def write_safetensors(path, tensors, metadata):
    """Writes `tensors` (name -> tensor, in order) and string `metadata` as a safetensors file, atomically."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        dtype, _ = _NAMES[t.dtype]
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text)
            for blob in blobs:
                f.write(blob)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def read_safetensors(path):
    """(name -> tensor in file order, string metadata) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + length
    tensors = {}
    for name, entry in header.items():
        dtype, size = _DTYPES[entry["dtype"]]
        start, end = entry["data_offsets"]
        count = math.prod(entry["shape"])
        if end - start != count * size:
            raise ValueError(f"{path}: {name} holds {end - start} bytes, expected {count * size}")
        data = bytearray(raw[base + start:base + end])
        tensors[name] = torch.frombuffer(data, dtype=dtype).reshape(entry["shape"]) if count else torch.zeros(entry["shape"], dtype=dtype)
    return tensors, metadata


# ---- kshot checkpoints --------------------------------------------------------------------------------

def save_kshot(path, model, algorithm, algorithm_options, evaluation=None, extra_tensors=None, metadata=None):
    """Saves `model` (a Conv4 or MLP) as a kshot checkpoint kshot's `Learner.load` and `kshot eval` read.

    algorithm: kshot's name (maml, fomaml, metasgd, anil, reptile, protonet, matchingnet, finetune).
    algorithm_options: its options as kshot names them (e.g. MAML: innerLr, innerSteps, evalSteps, evalLr,
    firstOrder, innerParams, loss); evaluation: the protocol (ways, shots, queries, steps, lr);
    extra_tensors: more tensors (Meta-SGD's `lr.<name>` step sizes); metadata: more metadata entries
    (objects become JSON), such as `training` or `data`."""
    model_name = "conv4" if isinstance(model, Conv4) else "mlp" if isinstance(model, MLP) else None
    if model_name is None:
        raise TypeError(f"save_kshot: expected a kshot_torch Conv4 or MLP, got {type(model).__name__}")
    tensors = {name: p.detach().to(torch.float32) for name, p in model.named_parameters()}
    for name, t in (extra_tensors or {}).items():
        tensors[name] = t.detach().to(torch.float32)
    meta = {
        "format": CHECKPOINT_FORMAT,
        "model": model_name,
        "model_config": json.dumps(model.config, separators=(",", ":")),
        "algorithm": algorithm,
        "algorithm_options": json.dumps(algorithm_options, separators=(",", ":")),
    }
    if evaluation is not None:
        meta["evaluation"] = json.dumps(evaluation, separators=(",", ":"))
    for key, value in (metadata or {}).items():
        if key in meta:
            raise ValueError(f"save_kshot: metadata {key!r} is written by save_kshot itself")
        meta[key] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    write_safetensors(path, tensors, meta)


def load_kshot(path, dtype=torch.float32):
    """Loads a kshot checkpoint: (module with its parameters, the other tensors by name (Meta-SGD's
    `lr.*`; the optimizer's state is left out), metadata with JSON entries decoded)."""
    tensors, raw = read_safetensors(path)
    if raw.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: expected a kshot checkpoint (metadata format {CHECKPOINT_FORMAT!r}), found {raw.get('format')!r}")
    metadata = {}
    for key, value in raw.items():
        try:
            metadata[key] = json.loads(value) if value[:1] in "{[" else value
        except json.JSONDecodeError:
            metadata[key] = value
    model = model_from_config(raw["model"], metadata.get("model_config", {})).to(dtype)
    names = [name for name, _ in model.named_parameters()]
    missing = [name for name in names if name not in tensors]
    if missing:
        raise ValueError(f"{path}: the checkpoint lacks the {raw['model']} parameters {', '.join(missing)}")
    model.load_state_dict({name: tensors[name].to(dtype) for name in names}, strict=False)
    others = {name: t.to(dtype) for name, t in tensors.items() if name not in names and not name.startswith("optimizer.")}
    return model, others, metadata
