"""
Trains CallMood's emotion network on FER-2013's training split (CPU, PyTorch).

    python3 training/train.py --data /path/to/fer-train --out training/out [--config training/config.json]
                              [--epochs N] [--limit-batches N] [--resume]
                              [--teacher teacher.npz --init first-stage/best.pt]

--data holds one folder per class (angry, disgust, fear, happy, sad, surprise, neutral) of
48x48 gray images, or a train/ folder holding them (the layout of the FER-2013 copy in
RecepTahirGunlu/Duygu-Tanima at commit 8041c66, 28,709 images).

Hold-out rule (validation, used for every choice: checkpoint, raw or EMA weights, float16 or not):
an image is held out when FNV-1a(salt + ":" + "<class>/<file name>") % modulus == 0, with
salt and modulus from config.json (callmood-holdout-v1, 10: about 10 %). It depends on the
file name only, not on listing order. FER-2013's PublicTest split is never read here.

Second stage (--teacher, run.sh does it when config.json has "distill"): knowledge
distillation (Hinton et al. 2015) from teachers.py's ensemble teacher, starting from --init's
weights, with distill's epochs, optimiser settings, alpha and temperature T (and any augment
keys in distill, which override stage 1's). The loss is
(1 - alpha) * cross-entropy (label smoothing as in stage 1) + alpha * T^2 * KL(teacher_T ||
student_T), both softened by T; the hold-out rule and the checkpoint choice are stage 1's.

Class-balanced loss (optional, "class_balance_beta" in config.json, or in distill for the second
stage; 0 or absent: off): each image's loss is weighted by n_class ** -beta, normalised to a
mean weight of 1 over the training images (see balanced_class_weights).

Writes into --out (ignored by git): last.pt (everything needed to resume, saved each epoch),
best.pt (the weights with the best hold-out accuracy so far, raw or EMA, with their metrics),
log.jsonl (one line per epoch) and summary.json.
"""
import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import EMOTIONS, build_model, count_macs, load_config  # noqa: E402

GRAY = (0.2989, 0.587, 0.114)


def fnv1a(text):
    """32-bit FNV-1a hash of a string's UTF-8 bytes (the same function as scripts/lib/evaluate.ts, which hashes UTF-16 code units: equal for ASCII)."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def is_held_out(cls, name, salt, modulus):
    """True when image `<cls>/<name>` belongs to the hold-out (validation) part."""
    return fnv1a(f"{salt}:{cls}/{name}") % modulus == 0


def load_gray(path, size):
    """
    Reads an image as a [size, size] uint8 gray array: RGB images go through the run-time
    weights (0.2989, 0.587, 0.114); gray JPEGs (FER-2013) are read as they are.
    Raises ValueError when the image is not size x size (the training set is 48x48).
    """
    img = Image.open(path)
    if img.mode != "L":
        rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
        arr = np.clip(np.rint(rgb @ np.array(GRAY, dtype=np.float32)), 0, 255).astype(np.uint8)
    else:
        arr = np.asarray(img, dtype=np.uint8)
    if arr.shape != (size, size):
        raise ValueError(f"{path}: expected {size}x{size}, got {arr.shape[1]}x{arr.shape[0]}")
    return arr


def load_dataset(data_dir, size, salt, modulus, names=None):
    """
    Loads every image of the class folders under `data_dir` (sorted by name).
    Returns (x_train uint8 [N,size,size], y_train int64 [N], x_val, y_val, counts), labels in EMOTIONS order.
    When `names` is a dict, names["train"] and names["val"] are filled with each image's
    "<class>/<file name>" in the same order.
    Raises FileNotFoundError when a class folder is missing.
    """
    if not os.path.isdir(os.path.join(data_dir, "angry")) and os.path.isdir(os.path.join(data_dir, "train", "angry")):
        data_dir = os.path.join(data_dir, "train")
    parts = {"train": ([], []), "val": ([], [])}
    counts = {}
    for label, cls in enumerate(EMOTIONS):
        folder = os.path.join(data_dir, cls)
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"missing class folder {folder}")
        files = sorted(n for n in os.listdir(folder) if n.lower().endswith((".jpg", ".jpeg", ".png")))
        counts[cls] = {"train": 0, "val": 0}
        for name in files:
            part = "val" if is_held_out(cls, name, salt, modulus) else "train"
            parts[part][0].append(load_gray(os.path.join(folder, name), size))
            parts[part][1].append(label)
            counts[cls][part] += 1
            if names is not None:
                names.setdefault(part, []).append(f"{cls}/{name}")
    out = []
    for part in ("train", "val"):
        xs, ys = parts[part]
        out += [torch.from_numpy(np.stack(xs)), torch.tensor(ys, dtype=torch.int64)]
    return (*out, counts)


def normalise(x_uint8):
    """uint8 gray [N,H,W] -> float [N,1,H,W] in [-1, 1]: x / 255, then (x - 0.5) * 2 (as at run time)."""
    return (x_uint8.float().unsqueeze(1) / 255.0 - 0.5) * 2.0


def augment(x, cfg, gen):
    """
    Random augmentation of a batch x: float [B,1,H,W] in [0, 1] (before normalise's scaling).
    Per image: one affine warp (rotation +-rotation_deg, zoom 1 +- scale, shift +- shift of
    the half side, horizontal flip with probability flip_p; bilinear, border pixels
    repeated; zoom is the side of the sampled square relative to the image, so 0.7 magnifies
    the face 1/0.7 = 1.43 times; zoom_range [lo, hi], when present, replaces 1 +- scale),
    contrast 1 +- contrast about the image mean and brightness +- brightness (clipped to
    [0, 1]), then with probability erase_p one rectangle of erase_area of the
    image (aspect ratio in erase_aspect) filled with a uniform random gray.
    """
    b, _, h, w = x.shape
    u = lambda *s: torch.rand(*s, generator=gen)  # noqa: E731
    angle = (u(b) * 2 - 1) * math.radians(cfg["rotation_deg"])
    if "zoom_range" in cfg:
        lo, hi = cfg["zoom_range"]
        zoom = lo + u(b) * (hi - lo)
    else:
        zoom = 1 + (u(b) * 2 - 1) * cfg["scale"]
    flip = torch.where(u(b) < cfg["flip_p"], -1.0, 1.0)
    tx = (u(b) * 2 - 1) * cfg["shift"]
    ty = (u(b) * 2 - 1) * cfg["shift"]
    cos, sin = torch.cos(angle) * zoom, torch.sin(angle) * zoom
    theta = torch.stack([torch.stack([cos * flip, -sin, tx], 1), torch.stack([sin * flip, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    contrast = 1 + (u(b, 1, 1, 1) * 2 - 1) * cfg["contrast"]
    brightness = (u(b, 1, 1, 1) * 2 - 1) * cfg["brightness"]
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean + brightness).clamp(0, 1)
    lo, hi = cfg["erase_area"]
    area = (lo + u(b) * (hi - lo)) * h * w
    log_a0, log_a1 = math.log(cfg["erase_aspect"][0]), math.log(cfg["erase_aspect"][1])
    aspect = torch.exp(log_a0 + u(b) * (log_a1 - log_a0))
    eh = torch.sqrt(area * aspect).clamp(1, h)
    ew = torch.sqrt(area / aspect).clamp(1, w)
    y0 = u(b) * (h - eh)
    x0 = u(b) * (w - ew)
    yy = torch.arange(h).view(1, h, 1).float()
    xx = torch.arange(w).view(1, 1, w).float()
    mask = (yy >= y0.view(b, 1, 1)) & (yy < (y0 + eh).view(b, 1, 1)) & (xx >= x0.view(b, 1, 1)) & (xx < (x0 + ew).view(b, 1, 1))
    mask &= (u(b) < cfg["erase_p"]).view(b, 1, 1)
    fill = u(b, 1, 1).expand(b, h, w)
    x = torch.where(mask.unsqueeze(1), fill.unsqueeze(1), x)
    return x


@torch.no_grad()
def evaluate(model, x_uint8, y, batch=512):
    """Hold-out metrics of `model`: accuracy, NLL and macro-F1, each plain and with flip averaging (mean of the softmax of the image and its mirror)."""
    model.eval()
    probs, probs_flip = [], []
    for i in range(0, len(y), batch):
        x = normalise(x_uint8[i : i + batch])
        p = F.softmax(model(x), 1)
        pf = F.softmax(model(torch.flip(x, dims=[3])), 1)
        probs.append(p)
        probs_flip.append((p + pf) / 2)
    out = {}
    for key, p in (("plain", torch.cat(probs)), ("flip", torch.cat(probs_flip))):
        accuracy, f1 = accuracy_macro_f1(p.argmax(1), y)
        out[key] = {"accuracy": accuracy, "nll": F.nll_loss(torch.log(p.clamp_min(1e-12)), y).item(), "macro_f1": f1}
    return out


def accuracy_macro_f1(pred, y):
    """(top-1 accuracy, macro-F1 over the 7 classes) of predicted class indices [N] against labels [N] (torch tensors or numpy arrays); a class never predicted correctly has F1 0."""
    f1s = []
    for c in range(len(EMOTIONS)):
        tp = int(((pred == c) & (y == c)).sum())
        fp = int(((pred == c) & (y != c)).sum())
        fn = int(((pred != c) & (y == c)).sum())
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return int((pred == y).sum()) / len(y), sum(f1s) / len(f1s)


def teacher_targets(path, names, temperature):
    """
    Soft targets for knowledge distillation (Hinton et al. 2015, "Distilling the knowledge in a
    neural network"): the teacher probabilities p [N, 7] that teachers.py stored in the .npz
    at `path` for the images `names` ("<class>/<file name>", in this order), softened as
    softmax(log p / temperature). Returns a float tensor [len(names), 7] whose rows sum to 1.
    Raises KeyError naming the first image the file has no probabilities for.
    """
    data = np.load(path)
    row = {n: i for i, n in enumerate(data["names"].tolist())}
    missing = [n for n in names if n not in row]
    if missing:
        raise KeyError(f"{path} has no teacher probabilities for {len(missing)} images, e.g. {missing[0]}")
    p = torch.from_numpy(data["probs"][[row[n] for n in names]].astype(np.float32))
    return F.softmax(torch.log(p.clamp_min(1e-8)) / temperature, 1)


def balanced_class_weights(y, beta):
    """
    Per-class loss weights [7] (float32 tensor) for class-balanced training, or None when beta is 0:
    w_c proportional to n_c ** -beta (n_c: training images of class c), scaled so that the mean
    weight over the training images is 1 (the loss keeps its scale). beta 1 is inverse-frequency
    re-weighting, beta 0.5 the "square-root" compromise (Mahajan et al. 2018; Kang et al. 2020,
    "Decoupling representation and classifier for long-tailed recognition", ICLR). y: [N] class
    indices of the training images. Raises ValueError if beta < 0 or a class has no images.
    """
    if beta == 0:
        return None
    if beta < 0:
        raise ValueError(f"class_balance_beta must be >= 0, got {beta}")
    n = torch.bincount(y, minlength=len(EMOTIONS)).double()
    if (n == 0).any():
        raise ValueError(f"class-balanced loss needs every class in the training part; counts {n.tolist()}")
    w = n.pow(-beta)
    w = w / (w[y].mean())
    return w.float()


def param_groups(model, weight_decay):
    """Weight decay on conv and linear weights only (not on BatchNorm parameters or biases)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.ndim > 1 else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.json"))
    ap.add_argument("--epochs", type=int, help="override config.json epochs")
    ap.add_argument("--limit-batches", type=int, help="stop each epoch after N batches (timing runs only)")
    ap.add_argument("--resume", action="store_true", help="continue from --out/last.pt")
    ap.add_argument(
        "--stop-after",
        type=int,
        help="end after epoch N, the learning-rate schedule still spanning all epochs (reproduction checks: "
        "compare the checkpoint with compare_checkpoints.py against a full run's best.pt of that epoch)",
    )
    ap.add_argument("--teacher", help="distillation stage: teacher probabilities (teachers.py's .npz); the settings come from config.json's distill")
    ap.add_argument("--init", help="start from this checkpoint's weights (train.py's best.pt) instead of a random initialisation")
    args = ap.parse_args()
    cfg = load_config(args.config)
    distill = None
    if args.teacher:
        distill = cfg["distill"]
        cfg = {**cfg, "epochs": distill["epochs"], "optimizer": {**cfg["optimizer"], **distill["optimizer"]}}
        cfg["augment"] = {**cfg["augment"], **distill.get("augment", {})}
    if args.epochs:
        cfg["epochs"] = args.epochs
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(cfg["seed"])
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    size = cfg["input_size"]
    names = {}
    x_tr, y_tr, x_val, y_val, counts = load_dataset(args.data, size, cfg["holdout"]["salt"], cfg["holdout"]["modulus"], names)
    print(f"loaded {len(y_tr)} training + {len(y_val)} hold-out images in {time.time() - t0:.1f} s: {json.dumps(counts)}", flush=True)
    if distill:
        q_tr = teacher_targets(args.teacher, names["train"], distill["temperature"])
        print(f"distillation: teacher {args.teacher}, alpha {distill['alpha']}, temperature {distill['temperature']}", flush=True)

    m = cfg["model"]
    model = build_model(m["channels"], m["convs_per_stage"], m["dropout"])
    if args.init:
        model.load_state_dict(torch.load(args.init)["model"])
        print(f"initialised from {args.init}", flush=True)
    ema = build_model(m["channels"], m["convs_per_stage"], m["dropout"])
    ema.load_state_dict(model.state_dict())
    for p in ema.parameters():
        p.requires_grad_(False)
    n_params = sum(p.numel() for p in model.parameters())
    macs = count_macs(build_model(m["channels"], m["convs_per_stage"], m["dropout"]), size)
    print(f"model: {n_params} parameters, {macs / 1e6:.1f} M multiply-adds per face", flush=True)

    o = cfg["optimizer"]
    steps_per_epoch = len(y_tr) // cfg["batch_size"]
    if args.limit_batches:
        steps_per_epoch = min(steps_per_epoch, args.limit_batches)
    opt = torch.optim.SGD(param_groups(model, o["weight_decay"]), lr=o["max_lr"], momentum=o["momentum"], nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=o["max_lr"], epochs=cfg["epochs"], steps_per_epoch=steps_per_epoch, **o["one_cycle"]
    )
    criterion = nn.CrossEntropyLoss(label_smoothing=cfg["label_smoothing"])
    class_weight = balanced_class_weights(y_tr, (distill or cfg).get("class_balance_beta", 0.0))
    if class_weight is not None:
        print(f"class-balanced loss: weights {[round(v, 3) for v in class_weight.tolist()]}", flush=True)
    gen = torch.Generator().manual_seed(cfg["seed"])
    start_epoch, best = 0, {"accuracy": -1.0}
    last_path, best_path = os.path.join(args.out, "last.pt"), os.path.join(args.out, "best.pt")
    if args.resume and os.path.exists(last_path):
        state = torch.load(last_path)
        model.load_state_dict(state["model"])
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        gen.set_state(state["generator"])
        start_epoch, best = state["epoch"] + 1, state["best"]
        print(f"resumed after epoch {state['epoch'] + 1}", flush=True)
        if start_epoch >= cfg["epochs"]:
            print(f"{args.out} already holds all {cfg['epochs']} epochs: nothing to train", flush=True)
            return

    # What this run is, for the exporter's metadata: first stage, or distillation from a teacher.
    stage = {"name": "distill", "init": args.init, "teacher": args.teacher, **distill} if distill else {"name": "first", "init": args.init}
    log = open(os.path.join(args.out, "log.jsonl"), "a")
    d = cfg["ema_decay"]
    for epoch in range(start_epoch, cfg["epochs"]):
        te = time.time()
        model.train()
        order = torch.randperm(len(y_tr), generator=gen)
        total, seen = 0.0, 0
        for step in range(steps_per_epoch):
            idx = order[step * cfg["batch_size"] : (step + 1) * cfg["batch_size"]]
            x = augment(x_tr[idx].float().unsqueeze(1) / 255.0, cfg["augment"], gen)
            x = (x - 0.5) * 2.0
            logits = model(x)
            if class_weight is None:
                loss = criterion(logits, y_tr[idx])
                if distill:
                    t, a = distill["temperature"], distill["alpha"]
                    kd = F.kl_div(F.log_softmax(logits / t, 1), q_tr[idx], reduction="batchmean") * t * t
                    loss = (1 - a) * loss + a * kd
            else:
                # Class-balanced: each image's loss weighted by its class's weight (same terms as above).
                w = class_weight[y_tr[idx]]
                loss = F.cross_entropy(logits, y_tr[idx], label_smoothing=cfg["label_smoothing"], reduction="none")
                if distill:
                    t, a = distill["temperature"], distill["alpha"]
                    kd = F.kl_div(F.log_softmax(logits / t, 1), q_tr[idx], reduction="none").sum(1) * t * t
                    loss = (1 - a) * loss + a * kd
                loss = (w * loss).sum() / len(idx)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(d).add_(pm.detach(), alpha=1 - d)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    if be.dtype.is_floating_point:
                        be.mul_(d).add_(bm, alpha=1 - d)
                    else:
                        be.copy_(bm)
            total += loss.item() * len(idx)
            seen += len(idx)
            if (step + 1) % 50 == 0:
                print(f"  epoch {epoch + 1} batch {step + 1}/{steps_per_epoch}  loss {total / seen:.4f}  {time.time() - te:.0f} s", flush=True)
        train_s = time.time() - te
        metrics = {"raw": evaluate(model, x_val, y_val), "ema": evaluate(ema, x_val, y_val)}
        entry = {
            "epoch": epoch + 1,
            "train_loss": total / seen,
            "lr": sched.get_last_lr()[0],
            "train_seconds": round(train_s, 1),
            "epoch_seconds": round(time.time() - te, 1),
            **{f"val_{k}": v for k, v in metrics.items()},
        }
        for which, net in (("raw", model), ("ema", ema)):
            acc = metrics[which]["plain"]["accuracy"]
            if acc > best["accuracy"]:
                best = {"accuracy": acc, "epoch": epoch + 1, "weights": which, "metrics": metrics[which]}
                torch.save({"model": net.state_dict(), "config": cfg, "best": best, "stage": stage}, best_path)
        entry["best"] = {k: v for k, v in best.items() if k != "metrics"}
        log.write(json.dumps(entry) + "\n")
        log.flush()
        print(
            f"epoch {epoch + 1}/{cfg['epochs']}  loss {entry['train_loss']:.4f}  "
            f"val raw {metrics['raw']['plain']['accuracy']:.4f} (flip {metrics['raw']['flip']['accuracy']:.4f})  "
            f"ema {metrics['ema']['plain']['accuracy']:.4f} (flip {metrics['ema']['flip']['accuracy']:.4f})  "
            f"{entry['epoch_seconds']:.0f} s",
            flush=True,
        )
        torch.save(
            {
                "model": model.state_dict(),
                "ema": ema.state_dict(),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "generator": gen.get_state(),
                "epoch": epoch,
                "best": best,
                "config": cfg,
            },
            last_path,
        )
        if args.stop_after and epoch + 1 >= args.stop_after:
            print(f"stopped after epoch {epoch + 1} of {cfg['epochs']} (--stop-after)", flush=True)
            break
    summary = {
        "best": best,
        "parameters": n_params,
        "multiply_adds": macs,
        "train_images": len(y_tr),
        "holdout_images": len(y_val),
        "class_counts": counts,
        "wall_seconds": round(time.time() - t0, 1),
        "torch": torch.__version__,
        "threads": cfg["threads"],
        "cpu": platform.processor() or platform.machine(),
    }
    json.dump(summary, open(os.path.join(args.out, "summary.json"), "w"), indent=2)
    print(f"done: best hold-out accuracy {best['accuracy']:.4f} ({best['weights']} weights, epoch {best['epoch']})", flush=True)


if __name__ == "__main__":
    main()
