"""
Exports a trained CallMood emotion network (train.py's best.pt) to a TensorFlow.js graph
model that `tf.loadGraphModel` reads, without the tensorflowjs converter.

    python3 training/export_tfjs.py --checkpoint training/out/best.pt --data /path/to/fer-train \
        --out models/callmood-emotion.json --fixture test/fixtures/emotion-model-parity.json

What it writes:
- `--out` (model.json format "graph-model") and a .bin beside it. The graph is a TF GraphDef
  in JSON: Placeholder [-1, S, S, 1] (NHWC) -> per conv unit one _FusedConv2D (BiasAdd, Relu;
  3x3, stride 1, padding SAME = PyTorch's padding 1 for a 3x3 kernel) with BatchNorm folded in
  (w' = w * gamma / sqrt(var + eps), b' = beta - mean * gamma / sqrt(var + eps), eps from each
  BatchNorm2d) -> MaxPool 2x2 stride 2 VALID -> Mean over H, W (global average pooling, so no
  flatten order to get wrong) -> MatMul + BiasAdd -> Softmax. Kernels go from PyTorch's OIHW
  to TF's HWIO; the linear weight [out, in] is transposed to [in, out].
- Post-hoc logit adjustment (Menon et al. 2021): the last bias is lowered by tau * log(training
  class prior), with tau from config.json's logit_adjustment.taus chosen by hold-out macro-F1
  (--logit-adjust overrides), so that rare classes (disgust: 1.5 % of FER-2013) are predicted.
- Weights as float16 when that costs under `--fp16-max-loss` (0.3 points) of hold-out
  accuracy (train.py's hold-out rule), else float32. The accuracies are printed and stored in
  the model's userDefinedMetadata.
- `--fixture`: a parity fixture for test/e2e/emotion-model.test.ts: a few seeded synthetic
  48x48 gray images (no FER images) and the probabilities PyTorch gives for them with the
  exported (folded, rounded) weights, after the run-time preprocessing of face-emotion.ts.

Errors: ValueError when the network holds a layer the exporter does not know.
"""
import argparse
import base64
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import EMOTIONS, load_network, load_config  # noqa: E402
from train import GRAY, evaluate, load_dataset  # noqa: E402


def fold(model):
    """
    Returns an equivalent inference-only nn.Sequential with every Conv2d + BatchNorm2d pair
    folded into one biased Conv2d, and Dropout removed. The input model must be in eval mode.
    Raises ValueError on an unexpected layer sequence.
    """
    layers = list(model)
    out = []
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, nn.Conv2d):
            bn = layers[i + 1]
            if not isinstance(bn, nn.BatchNorm2d):
                raise ValueError(f"layer {i + 1}: expected BatchNorm2d after Conv2d")
            scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
            conv = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding, bias=True)
            conv.weight.data = layer.weight.detach() * scale.view(-1, 1, 1, 1)
            base = layer.bias.detach() if layer.bias is not None else torch.zeros_like(scale)
            conv.bias.data = bn.bias.detach() + (base - bn.running_mean) * scale
            out.append(conv)
            i += 2
        elif isinstance(layer, (nn.ReLU, nn.MaxPool2d, nn.AdaptiveAvgPool2d, nn.Flatten, nn.Linear)):
            out.append(layer)
            i += 1
        elif isinstance(layer, nn.Dropout):
            i += 1
        else:
            raise ValueError(f"layer {i}: {type(layer).__name__} is not supported by the exporter")
    return nn.Sequential(*out).eval()


def logit_adjust(folded, prior, tau):
    """
    A copy of `folded` whose last Linear bias is lowered by tau * log(prior) (post-hoc logit
    adjustment, Menon et al. 2021, "Long-tail learning via logit adjustment", ICLR, eq. 9):
    softmax(z - tau * log(prior)) moves probability from frequent classes to rare ones; tau = 0
    changes nothing, tau = 1 targets balanced error. prior: [classes] training-class
    frequencies, summing to 1, all > 0. Raises ValueError when the network ends in no Linear.
    """
    m = copy.deepcopy(folded)
    linear = [layer for layer in m if isinstance(layer, nn.Linear)]
    if not linear:
        raise ValueError("the network has no Linear layer to adjust")
    with torch.no_grad():
        linear[-1].bias.sub_(tau * torch.log(prior))
    return m


def round_fp16(model):
    """A copy of `model` whose parameters are rounded to float16 and back (what the browser gets from a float16 file)."""
    m = copy.deepcopy(model)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(p.half().float())
    return m


def _s(text):
    return {"s": base64.b64encode(text.encode()).decode()}


def _ints(values):
    return {"list": {"i": [str(v) for v in values]}}


def _shape(dims):
    return {"dim": [{"size": str(d)} for d in dims]}


def graph_model(folded, size, fp16, metadata):
    """
    Builds the model.json dict and the weight bytes of `folded` (fold()'s output).
    Returns (model_json, weight_bytes); the manifest's path is the placeholder '{bin}'.
    """
    nodes = []
    weights = []  # (name, np.float32 array)

    def const(name, array, dtype="DT_FLOAT"):
        nodes.append({"name": name, "op": "Const", "attr": {"value": {"tensor": {"dtype": dtype, "tensorShape": _shape(array.shape)}}, "dtype": {"type": dtype}}})
        weights.append((name, array))

    nodes.append({"name": "input", "op": "Placeholder", "attr": {"shape": {"shape": _shape([-1, size, size, 1])}, "dtype": {"type": "DT_FLOAT"}}})
    prev = "input"
    layers = list(folded)
    conv_i = pool_i = 0
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, nn.Conv2d):
            if layer.kernel_size != (3, 3) or layer.stride != (1, 1) or layer.padding != (1, 1) or layer.groups != 1:
                raise ValueError("only 3x3 stride-1 padding-1 convolutions map to SAME padding")
            if not (i + 1 < len(layers) and isinstance(layers[i + 1], nn.ReLU)):
                raise ValueError(f"layer {i}: expected ReLU after the convolution")
            conv_i += 1
            name = f"conv{conv_i}"
            const(f"{name}/kernel", layer.weight.detach().permute(2, 3, 1, 0).contiguous().numpy())
            const(f"{name}/bias", layer.bias.detach().numpy())
            nodes.append(
                {
                    "name": f"{name}/Relu",
                    "op": "_FusedConv2D",
                    "input": [prev, f"{name}/kernel", f"{name}/bias"],
                    "attr": {
                        "T": {"type": "DT_FLOAT"},
                        "fused_ops": {"list": {"s": [_s("BiasAdd")["s"], _s("Relu")["s"]]}},
                        "num_args": {"i": "1"},
                        "data_format": _s("NHWC"),
                        "padding": _s("SAME"),
                        "strides": _ints([1, 1, 1, 1]),
                        "dilations": _ints([1, 1, 1, 1]),
                        "explicit_paddings": {"list": {}},
                        "epsilon": {"f": 0},
                        "use_cudnn_on_gpu": {"b": True},
                    },
                }
            )
            prev = f"{name}/Relu"
            i += 2
        elif isinstance(layer, nn.MaxPool2d):
            if layer.kernel_size != 2 or layer.stride != 2 or layer.padding != 0:
                raise ValueError("only 2x2 stride-2 max-pooling is supported")
            pool_i += 1
            name = f"pool{pool_i}/MaxPool"
            nodes.append({"name": name, "op": "MaxPool", "input": [prev], "attr": {"T": {"type": "DT_FLOAT"}, "data_format": _s("NHWC"), "padding": _s("VALID"), "ksize": _ints([1, 2, 2, 1]), "strides": _ints([1, 2, 2, 1])}})
            prev = name
            i += 1
        elif isinstance(layer, nn.AdaptiveAvgPool2d):
            if layer.output_size not in (1, (1, 1)):
                raise ValueError("only global average pooling is supported")
            const("gap/axes", np.array([1, 2], dtype=np.int32), "DT_INT32")
            nodes.append({"name": "gap/Mean", "op": "Mean", "input": [prev, "gap/axes"], "attr": {"T": {"type": "DT_FLOAT"}, "Tidx": {"type": "DT_INT32"}, "keep_dims": {"b": False}}})
            prev = "gap/Mean"
            i += 1
        elif isinstance(layer, nn.Flatten):
            i += 1  # global average pooling already gives [N, C]
        elif isinstance(layer, nn.Linear):
            const("logits/kernel", layer.weight.detach().t().contiguous().numpy())
            const("logits/bias", layer.bias.detach().numpy())
            nodes.append({"name": "logits/MatMul", "op": "MatMul", "input": [prev, "logits/kernel"], "attr": {"T": {"type": "DT_FLOAT"}, "transpose_a": {"b": False}, "transpose_b": {"b": False}}})
            nodes.append({"name": "logits/BiasAdd", "op": "BiasAdd", "input": ["logits/MatMul", "logits/bias"], "attr": {"T": {"type": "DT_FLOAT"}, "data_format": _s("NHWC")}})
            prev = "logits/BiasAdd"
            i += 1
        else:
            raise ValueError(f"layer {i}: {type(layer).__name__} is not supported by the exporter")
    nodes.append({"name": "probabilities", "op": "Softmax", "input": [prev], "attr": {"T": {"type": "DT_FLOAT"}}})
    nodes.append({"name": "Identity", "op": "Identity", "input": ["probabilities"], "attr": {"T": {"type": "DT_FLOAT"}}})

    specs, chunks = [], []
    for name, array in weights:
        spec = {"name": name, "shape": list(array.shape), "dtype": "int32" if array.dtype == np.int32 else "float32"}
        if array.dtype == np.int32:
            chunks.append(array.astype("<i4").tobytes())
        elif fp16:
            spec["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
            chunks.append(array.astype("<f2").tobytes())
        else:
            chunks.append(array.astype("<f4").tobytes())
        specs.append(spec)
    model_json = {
        "format": "graph-model",
        "generatedBy": "CallMood training/train.py (PyTorch " + torch.__version__ + ")",
        "convertedBy": "CallMood training/export_tfjs.py",
        "userDefinedMetadata": {
            "signature": {
                "inputs": {"input:0": {"name": "input:0", "dtype": "DT_FLOAT", "tensorShape": _shape([-1, size, size, 1])}},
                "outputs": {"Identity:0": {"name": "Identity:0", "dtype": "DT_FLOAT", "tensorShape": _shape([-1, len(EMOTIONS)])}},
            },
            "callmood": metadata,
        },
        "modelTopology": {"node": nodes, "library": {}, "versions": {}},
        "weightsManifest": [{"paths": ["{bin}"], "weights": specs}],
    }
    return model_json, b"".join(chunks)


def synthetic_images(seed, count, size):
    """
    `count` seeded synthetic size x size gray images (uint8): smooth blobs and gradients plus
    noise, so that activations look like those of images rather than of white noise. No FER data.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    out = []
    for _ in range(count):
        img = rng.uniform(60, 190) + rng.uniform(-60, 60) * (xx - 0.5) + rng.uniform(-60, 60) * (yy - 0.5)
        for _ in range(4):
            cx, cy, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.05, 0.2)
            img = img + rng.uniform(-90, 90) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img = img + rng.normal(0, 12, img.shape)
        out.append(np.clip(np.rint(img), 0, 255).astype(np.uint8))
    return np.stack(out)


def runtime_input(gray_uint8):
    """
    The exact input face-emotion.ts builds from an RGB image whose three channels all equal
    `gray_uint8` ([N, S, S]): (0.2989 v + 0.587 v + 0.114 v) / 255, then (x - 0.5) * 2, in
    float32. Returns [N, 1, S, S].
    """
    v = torch.from_numpy(gray_uint8.astype(np.float32))
    g = (v * GRAY[0] + v * GRAY[1] + v * GRAY[2]) / 255.0
    return ((g - 0.5) * 2.0).unsqueeze(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", required=True, help="FER-2013 training folder (for the hold-out accuracy of float16 vs float32)")
    ap.add_argument("--out", required=True, help="model.json path; the .bin goes beside it with the same stem")
    ap.add_argument("--fixture", help="write the browser parity fixture here")
    ap.add_argument("--fp16-max-loss", type=float, default=0.003, help="largest hold-out accuracy loss (fraction) float16 may cost")
    ap.add_argument("--force-fp32", action="store_true")
    ap.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.json"), help="read logit_adjustment from here (the rest comes from the checkpoint)")
    ap.add_argument("--logit-adjust", type=float, help="use this tau instead of choosing one from config.json's logit_adjustment.taus")
    args = ap.parse_args()

    model, state = load_network(args.checkpoint)
    cfg = state["config"]
    torch.set_num_threads(cfg["threads"])
    folded = fold(model)
    size = cfg["input_size"]

    _, _, x_val, y_val, counts = load_dataset(args.data, size, cfg["holdout"]["salt"], cfg["holdout"]["modulus"])
    # Class priors of the training part; tau chosen by hold-out macro-F1 (ties: the smaller tau).
    prior = torch.tensor([counts[c]["train"] for c in EMOTIONS], dtype=torch.float32)
    prior = prior / prior.sum()
    export_cfg = load_config(args.config)
    taus = [args.logit_adjust] if args.logit_adjust is not None else export_cfg.get("logit_adjustment", {}).get("taus", [0.0])
    by_tau = {}
    for tau in taus:
        by_tau[tau] = evaluate(logit_adjust(folded, prior, tau), x_val, y_val)["plain"]
        print(f"hold-out logit adjustment tau {tau:.2f}: accuracy {by_tau[tau]['accuracy']:.4f}  macro-F1 {by_tau[tau]['macro_f1']:.4f}")
    tau = max(taus, key=lambda t: (round(by_tau[t]["macro_f1"], 6), -t))
    print(f"logit adjustment: tau {tau:.2f} (the best hold-out macro-F1)")
    unadjusted = folded
    folded = logit_adjust(folded, prior, tau)
    half = round_fp16(folded)
    acc = {name: evaluate(net, x_val, y_val) for name, net in (("pytorch", model), ("folded", unadjusted), ("folded_fp32", folded), ("folded_fp16", half))}
    for name, a in acc.items():
        print(f"hold-out {name:12s} accuracy {a['plain']['accuracy']:.4f}  flip {a['flip']['accuracy']:.4f}  macro-F1 {a['plain']['macro_f1']:.4f}  NLL {a['plain']['nll']:.4f}")
    loss = acc["folded_fp32"]["plain"]["accuracy"] - acc["folded_fp16"]["plain"]["accuracy"]
    fp16 = not args.force_fp32 and loss < args.fp16_max_loss
    print(f"float16 costs {loss * 100:.2f} points of hold-out accuracy -> weights in {'float16' if fp16 else 'float32'}")
    shipped = half if fp16 else folded

    params = sum(p.numel() for p in model.parameters())
    metadata = {
        "classes": EMOTIONS,
        "input": f"[N, {size}, {size}, 1] gray (0.2989 R + 0.587 G + 0.114 B) / 255, then (x - 0.5) * 2",
        "parameters": params,
        "weights_dtype": "float16" if fp16 else "float32",
        "trained_epochs": state["best"]["epoch"],
        "training_stage": state.get("stage", {"name": "first"}),
        "logit_adjustment": {
            "tau": tau,
            "training_prior": [round(float(v), 6) for v in prior],
            "source": "Menon et al. 2021, Long-tail learning via logit adjustment (post-hoc, folded into logits/bias)",
            "holdout_by_tau": {f"{t:.2f}": {"accuracy": round(v["accuracy"], 4), "macro_f1": round(v["macro_f1"], 4)} for t, v in by_tau.items()},
        },
        "holdout": {
            "rule": f"FNV-1a('{cfg['holdout']['salt']}:<class>/<file>') % {cfg['holdout']['modulus']} == 0",
            "images": int(len(y_val)),
            "accuracy": round(acc["folded_fp16" if fp16 else "folded_fp32"]["plain"]["accuracy"], 4),
            "accuracy_flip_averaged": round(acc["folded_fp16" if fp16 else "folded_fp32"]["flip"]["accuracy"], 4),
            "macro_f1": round(acc["folded_fp16" if fp16 else "folded_fp32"]["plain"]["macro_f1"], 4),
            "accuracy_float32": round(acc["folded_fp32"]["plain"]["accuracy"], 4),
        },
    }
    model_json, data = graph_model(shipped, size, fp16, metadata)
    stem = os.path.splitext(os.path.basename(args.out))[0]
    model_json["weightsManifest"][0]["paths"] = [f"{stem}.bin"]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(model_json, f, separators=(",", ":"))
    with open(os.path.join(os.path.dirname(os.path.abspath(args.out)), f"{stem}.bin"), "wb") as f:
        f.write(data)
    print(f"wrote {args.out} and {stem}.bin ({len(data)} bytes)")

    if args.fixture:
        images = synthetic_images(20250706, 4, size)
        with torch.no_grad():
            probs = F.softmax(shipped(runtime_input(images)), 1).numpy()
        fixture = {
            "about": "Seeded synthetic gray images (no FER data) and the probabilities PyTorch gives for them with the exported weights "
            "and the run-time preprocessing of src/offscreen/face-emotion.ts. Written by training/export_tfjs.py; checked by test/e2e/emotion-model.test.ts.",
            "model": os.path.basename(args.out),
            "size": size,
            "classes": EMOTIONS,
            "images": [img.flatten().tolist() for img in images],
            "probabilities": [[round(float(v), 7) for v in row] for row in probs],
        }
        with open(args.fixture, "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {args.fixture}")


if __name__ == "__main__":
    main()
