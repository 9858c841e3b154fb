"""
Scores train.py checkpoints in PyTorch (no browser), for comparing training runs:

    python3 training/eval_checkpoint.py --data /path/to/fer-train [--extra DIR] CHECKPOINT [CHECKPOINT ...]

For each checkpoint (best.pt or last.pt; last.pt's raw weights) it prints the hold-out top-1
accuracy and macro-F1 (the hold-out rule of config.json, as in train.py) on the images as they
are and centre-cropped to 1/1.15 and 1/1.3 of their side and resized back to 48x48 (bilinear),
which is what a tighter face crop than FER-2013's looks like to the network. With --extra, it
also prints top-1 accuracy and per-class recall on DIR, a labelled set of 48x48 gray crops with
a labels.csv (path,label; e.g. CK+48 after `npm run eval -- --data DIR --make-labels`). These
are PyTorch figures before the exporter's logit adjustment and float16; the browser's
(`npm run eval`) are the reported ones. Raises FileNotFoundError for a missing file and KeyError
for a label that is not one of model.EMOTIONS.
"""
import argparse
import csv
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import EMOTIONS, load_network, load_config  # noqa: E402
from teachers import network_probs  # noqa: E402
from train import evaluate, load_dataset  # noqa: E402

ZOOMS = (1.0, 1.15, 1.3)


def centre_zoom(x_uint8, zoom):
    """uint8 [N,H,W] -> uint8-valued float [N,H,W]: the centre square of side H / zoom, resized back to H x W (bilinear)."""
    n, h, w = x_uint8.shape
    if zoom == 1.0:
        return x_uint8
    s = int(round(h / zoom))
    o = (h - s) // 2
    crop = x_uint8[:, o : o + s, o : o + s].float().unsqueeze(1)
    return F.interpolate(crop, size=(h, w), mode="bilinear", align_corners=False).squeeze(1).round().clamp(0, 255).to(torch.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="FER-2013 training folder (for the hold-out)")
    ap.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.json"))
    ap.add_argument("--extra", help="a labelled set of 48x48 crops with labels.csv (reported per checkpoint)")
    ap.add_argument("checkpoints", nargs="+")
    args = ap.parse_args()
    cfg = load_config(args.config)
    torch.set_num_threads(1)
    _, _, x_val, y_val, _ = load_dataset(args.data, cfg["input_size"], cfg["holdout"]["salt"], cfg["holdout"]["modulus"])
    if args.extra:
        rows = list(csv.DictReader(open(os.path.join(args.extra, "labels.csv"))))
        x_extra = torch.stack([torch.from_numpy(np.array(Image.open(os.path.join(args.extra, r["path"])).convert("L"))) for r in rows])
        y_extra = torch.tensor([EMOTIONS.index(r["label"]) for r in rows])
    for path in args.checkpoints:
        net, _ = load_network(path)
        for zoom in ZOOMS:
            m = evaluate(net, centre_zoom(x_val, zoom), y_val)["plain"]
            print(f"{path}  hold-out, zoom {zoom:.2f}: accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}", flush=True)
        if args.extra:
            p = torch.from_numpy(network_probs(path, x_extra).argmax(1))
            recall = [((p == c) & (y_extra == c)).sum().item() / max(1, (y_extra == c).sum().item()) for c in range(len(EMOTIONS))]
            present = [EMOTIONS[c] for c in range(len(EMOTIONS)) if (y_extra == c).any()]
            print(
                f"{path}  {args.extra}: accuracy {(p == y_extra).float().mean().item():.4f}  recall "
                + " ".join(f"{e} {recall[EMOTIONS.index(e)]:.2f}" for e in present),
                flush=True,
            )


if __name__ == "__main__":
    main()
