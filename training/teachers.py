"""
Builds the distillation teacher for train.py --teacher: per training image, a weighted mean of
the probabilities of several teacher models (an ensemble teacher).

    python3 training/teachers.py --data /path/to/fer-train --checkpoint training/out/run/best.pt \
        --browser faceapi=training/out/run/teacher-faceapi.json --out training/out/run/teacher.npz

Teachers, weighted by config.json's distill.teachers ({"callmood": w1, "faceapi": w2, ...}):
- "callmood": the first-stage network (--checkpoint, train.py's best.pt), run here in PyTorch
  on the un-augmented image, temperature 1, without logit adjustment.
- any other name: a browser model, read from `npm run eval -- --data DIR --mode crop
  --config '{"emotionModel":"faceapi","temperature":1}' --per-image FILE` output (a JSON list
  of {path: "<class>/<file>", label, probabilities: {angry: p, ...}}), given as NAME=FILE. This
  is how face-api's expression net (posed faces, Hinton-style distillation suggested by #6)
  reaches the student without a PyTorch port of it.

Writes --out (.npz): names [N] ("<class>/<file name>", every image, training and hold-out),
probs float32 [N, 7] in EMOTIONS order (rows sum to 1), sources (JSON of the weights), and
prints each teacher's and the mean's hold-out accuracy and macro-F1 (train.py's hold-out rule;
for the record only: nothing is chosen on it here).

Errors: KeyError when a teacher named in the config has no --checkpoint or --browser file, or
when a browser file lacks an image; ValueError when a browser file's probabilities are null
(a face the model could not score).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import EMOTIONS, load_network, load_config  # noqa: E402
from train import accuracy_macro_f1, load_dataset, normalise  # noqa: E402


def browser_probs(path, names):
    """Probabilities [len(names), 7] (float32, EMOTIONS order) from an eval --per-image file, in the order of `names`."""
    rows = {r["path"]: r for r in json.load(open(path))}
    out = np.zeros((len(names), len(EMOTIONS)), dtype=np.float32)
    for i, name in enumerate(names):
        if name not in rows:
            raise KeyError(f"{path} has no row for {name}")
        p = rows[name]["probabilities"]
        if p is None:
            raise ValueError(f"{path}: {name} was not scored ({rows[name].get('error', 'no probabilities')})")
        out[i] = [p[e] for e in EMOTIONS]
    return out / out.sum(1, keepdims=True)


@torch.no_grad()
def network_probs(checkpoint, x_uint8, batch=512):
    """Softmax probabilities [N, 7] (float32) of train.py's checkpoint on uint8 gray images [N, 48, 48]."""
    net, _ = load_network(checkpoint)
    return torch.cat([F.softmax(net(normalise(x_uint8[i : i + batch])), 1) for i in range(0, len(x_uint8), batch)]).numpy()


def scores(probs, y):
    """(top-1 accuracy, macro-F1) of probabilities [N, 7] against labels [N]."""
    return accuracy_macro_f1(probs.argmax(1), y)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--checkpoint", help="first-stage best.pt (the 'callmood' teacher)")
    ap.add_argument("--browser", action="append", default=[], metavar="NAME=FILE", help="a browser model's eval --per-image file")
    ap.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.json"))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cfg = load_config(args.config)
    torch.set_num_threads(cfg["threads"])
    weights = cfg["distill"]["teachers"]
    files = dict(b.split("=", 1) for b in args.browser)

    names = {}
    x_tr, y_tr, x_val, y_val, _ = load_dataset(args.data, cfg["input_size"], cfg["holdout"]["salt"], cfg["holdout"]["modulus"], names)
    all_names = names["train"] + names["val"]
    x_all = torch.cat([x_tr, x_val])
    y_all = torch.cat([y_tr, y_val]).numpy()
    val = np.arange(len(y_tr), len(y_all))

    mix = np.zeros((len(all_names), len(EMOTIONS)), dtype=np.float32)
    for name, w in weights.items():
        if name == "callmood":
            if not args.checkpoint:
                raise KeyError("teacher 'callmood' needs --checkpoint")
            p = network_probs(args.checkpoint, x_all)
        else:
            if name not in files:
                raise KeyError(f"teacher '{name}' needs --browser {name}=FILE")
            p = browser_probs(files[name], all_names)
        acc, f1 = scores(p[val], y_all[val])
        acc_tr, _ = scores(p[: len(y_tr)], y_all[: len(y_tr)])
        print(f"teacher {name} (weight {w}): hold-out accuracy {acc:.4f}, macro-F1 {f1:.4f}; training images {acc_tr:.4f}", flush=True)
        mix += w * p
    mix /= sum(weights.values())
    acc, f1 = scores(mix[val], y_all[val])
    acc_tr, _ = scores(mix[: len(y_tr)], y_all[: len(y_tr)])
    print(f"teacher mean: hold-out accuracy {acc:.4f}, macro-F1 {f1:.4f}; training images {acc_tr:.4f}", flush=True)
    np.savez(args.out, names=np.array(all_names), probs=mix, sources=json.dumps(weights))
    print(f"wrote {args.out}: {len(all_names)} images", flush=True)


if __name__ == "__main__":
    main()
