"""
Compares the weights of two train.py checkpoints (best.pt or last.pt), to check that the
recipe is deterministic:

    python3 training/train.py --data DIR --out /tmp/run-a --epochs 1 --limit-batches 8
    python3 training/train.py --data DIR --out /tmp/run-b --epochs 1 --limit-batches 8
    python3 training/compare_checkpoints.py /tmp/run-a/last.pt /tmp/run-b/last.pt

Prints the largest absolute difference over all weights and buffers and exits 0 when the two
are bit for bit equal, 1 when they differ. Raises KeyError when the two networks' layers differ.
"""
import sys

import torch


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = (torch.load(p, map_location="cpu")["model"] for p in sys.argv[1:])
    if a.keys() != b.keys():
        raise KeyError(f"different layers: {sorted(set(a) ^ set(b))}")
    worst, where = 0.0, None
    for k in a:
        d = (a[k].double() - b[k].double()).abs().max().item() if a[k].numel() else 0.0
        if d > worst:
            worst, where = d, k
    print(f"{len(a)} tensors, max abs difference {worst:g}" + (f" (in {where})" if where else " (bit for bit equal)"))
    sys.exit(0 if worst == 0 else 1)


if __name__ == "__main__":
    main()
