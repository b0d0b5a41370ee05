"""How far apart kshot's and the PyTorch reference's parameters are after the same iterations: for each
tensor, ‖kshot − PyTorch‖ / ‖PyTorch − initial‖ (the difference as a fraction of how far training moved
it), and the median over tensors. Reads three safetensors files (kshot's checkpoint, the file
`torch_reference.py --save` writes, the exported init.safetensors); tools/parity/README.md says how.

Usage: /usr/bin/python3 tools/parity/compare_params.py KSHOT.safetensors TORCH.safetensors INIT.safetensors
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from kshot_torch import read_safetensors  # noqa: E402


def main():
    kshot, torch_, init = (read_safetensors(p)[0] for p in sys.argv[1:4])
    ratios = {}
    for name, t in torch_.items():
        moved = (t - init[name]).norm().item()
        ratios[name] = (kshot[name] - t).norm().item() / moved if moved > 0 else 0.0
        print(f"{name:24s} {ratios[name]:.2e}")
    print(f"median {statistics.median(ratios.values()):.2e}")


if __name__ == "__main__":
    main()
