"""How far apart two sets of parameters are, as a fraction of how far one of them moved: for each tensor,
‖A − B‖ / ‖B − BASE‖, and the median over tensors. A and B are kshot's and PyTorch's parameters after
the same iterations (kshot's checkpoint, `torch_reference.py --save`), or two PyTorch runs, or two
single steps (`one_step.py`); BASE is where B started (init.safetensors, or the state before the step).
tools/parity/README.md says how.

Usage: /usr/bin/python3 tools/parity/compare_params.py A.safetensors B.safetensors BASE.safetensors
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from kshot_torch import read_safetensors  # noqa: E402


def main():
    a, b, base = (read_safetensors(p)[0] for p in sys.argv[1:4])
    ratios = {}
    for name, t in b.items():
        moved = (t - base[name]).norm().item()
        ratios[name] = (a[name] - t).norm().item() / moved if moved > 0 else 0.0
        print(f"{name:24s} {ratios[name]:.2e}")
    print(f"median {statistics.median(ratios.values()):.2e}")


if __name__ == "__main__":
    main()
