"""
CallMood's emotion network: a compact VGG-style CNN for 48x48 gray face crops.

Input: [N, 1, 48, 48] float, gray = (0.2989 R + 0.587 G + 0.114 B) / 255, then (x - 0.5) * 2,
so values lie in [-1, 1] (the same scaling src/offscreen/face-emotion.ts applies at run time).
Output: [N, 7] logits in FER-2013 order (angry, disgust, fear, happy, sad, surprise, neutral);
the exported TF.js model appends the softmax.

Layout (config.json "model"): stages of 3x3 convolutions (stride 1, padding 1, no bias) each
followed by BatchNorm and ReLU, a 2x2 max-pool between stages, global average pooling,
dropout and one linear layer. Only these module types are used, so that
export_tfjs.py can fold each BatchNorm into its convolution and write a TF.js graph model.
"""
import json
import os

import torch.nn as nn

EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def load_config(path):
    """
    A recipe configuration (config.json's keys) from the JSON file at `path`. A file with
    "extends": "BASE.json" (relative to its own folder) holds only what differs: its other keys
    are merged into BASE's, objects key by key at any depth, anything else replaced. Raises
    FileNotFoundError for a missing file and json.JSONDecodeError for invalid JSON.
    """
    with open(path) as f:
        cfg = json.load(f)
    base = cfg.pop("extends", None)
    if base is None:
        return cfg

    def merge(a, b):
        return {**a, **{k: merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v for k, v in b.items()}}

    return merge(load_config(os.path.join(os.path.dirname(os.path.abspath(path)), base)), cfg)


def build_model(channels, convs_per_stage, dropout=0.3, in_channels=1, classes=len(EMOTIONS)):
    """
    Builds the network as an nn.Sequential.
    channels: output channels of each stage, e.g. [32, 64, 128, 256].
    convs_per_stage: number of conv-BN-ReLU units in each stage (same length as channels).
    Raises ValueError when the two lists differ in length.
    """
    if len(channels) != len(convs_per_stage):
        raise ValueError("channels and convs_per_stage must have the same length")
    layers = []
    cin = in_channels
    for stage, (c, reps) in enumerate(zip(channels, convs_per_stage)):
        for _ in range(reps):
            layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            cin = c
        if stage < len(channels) - 1:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def count_macs(model, size=48, in_channels=1):
    """Multiply-accumulates of one forward pass on one [1, in_channels, size, size] input (convs and linear layers)."""
    import torch

    total = 0
    x = torch.zeros(1, in_channels, size, size)
    model = model.eval()
    with torch.no_grad():
        for layer in model:
            y = layer(x)
            if isinstance(layer, nn.Conv2d):
                total += y.numel() * layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1] // layer.groups
            elif isinstance(layer, nn.Linear):
                total += layer.in_features * layer.out_features
            x = y
    return total


def load_network(checkpoint):
    """
    The network of a train.py checkpoint (best.pt or last.pt), in eval mode, and the
    checkpoint's dict (config, best, stage). Raises FileNotFoundError for a missing file and
    RuntimeError when the weights do not fit the checkpoint's own config.
    """
    import torch

    state = torch.load(checkpoint)
    m = state["config"]["model"]
    net = build_model(m["channels"], m["convs_per_stage"], m["dropout"])
    net.load_state_dict(state["model"])
    return net.eval(), state
