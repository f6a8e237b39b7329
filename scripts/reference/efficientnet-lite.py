"""Reference numbers for EfficientNet-Lite1/Lite2 from PyTorch (not run in CI).

Builds EfficientNet-Lite{0,1,2} in plain PyTorch with TF-SAME padding, BN eps 1e-3 and ReLU6,
loads the state dict from the project's model cache with strict=True, and writes
Tests/Fixtures/reference/efficientnet-liteN-chelsea.json in the format of the Lite0 file:
logits, top-5, per-layer statistics with sampled values, and the input gradient of a channel mean.

    ~/.cache/fvbook-peer/bin/python scripts/reference/efficientnet-lite.py lite1 lite2

The architecture follows TensorFlow's efficientnet_lite_builder: width multiplier on every stage's
channels (round to a multiple of 8, never below 90 %), depth multiplier on the repeats (ceil),
except the first and last stage; stem (32) and head (1280) are not scaled.
"""
import json
import math
import os
import struct
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("FVBOOK_CACHE", os.path.expanduser("~/.cache/fvbook"))
VARIANTS = {  # width, depth, input size, weights
    "lite0": (1.0, 1.0, 224, "efficientnet-lite0-57934424.pth"),
    "lite1": (1.0, 1.1, 240, "efficientnet-lite1-77cc7160.pth"),
    "lite2": (1.1, 1.2, 260, "efficientnet-lite2-9656183e.pth"),
}
# (repeats, kernel, stride, expand, in, out) of Lite0
BASE = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
        (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]


def round_filters(c, width):
    scaled = c * width
    r = max(8, int(scaled + 4) // 8 * 8)
    return r + 8 if r < 0.9 * scaled else r


def stages(width, depth):
    out = []
    for i, (r, k, s, e, cin, cout) in enumerate(BASE):
        fixed = i in (0, len(BASE) - 1)
        out.append((r if fixed else int(math.ceil(depth * r)), k, s, e, round_filters(cin, width), round_filters(cout, width)))
    return out


class SameConv2d(nn.Conv2d):
    def __init__(self, cin, cout, k, stride=1, groups=1):
        super().__init__(cin, cout, k, stride, padding=0, groups=groups, bias=False)

    def forward(self, x):
        kh, kw = self.kernel_size
        sh, sw = self.stride
        ih, iw = x.shape[-2:]
        oh, ow = math.ceil(ih / sh), math.ceil(iw / sw)
        ph, pw = max((oh - 1) * sh + kh - ih, 0), max((ow - 1) * sw + kw - iw, 0)
        if ph or pw:
            x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, None, self.stride, 0, 1, self.groups)


class Block(nn.Module):
    def __init__(self, cin, cout, k, stride, expand):
        super().__init__()
        mid = cin * expand
        self.expand, self.skip = expand, stride == 1 and cin == cout
        if expand != 1:
            self._expand_conv = SameConv2d(cin, mid, 1)
            self._bn0 = nn.BatchNorm2d(mid, eps=1e-3)
        self._depthwise_conv = SameConv2d(mid, mid, k, stride, groups=mid)
        self._bn1 = nn.BatchNorm2d(mid, eps=1e-3)
        self._project_conv = SameConv2d(mid, cout, 1)
        self._bn2 = nn.BatchNorm2d(cout, eps=1e-3)

    def forward(self, inputs):
        x = inputs
        if self.expand != 1:
            x = F.relu6(self._bn0(self._expand_conv(x)))
        x = self._bn2(self._project_conv(F.relu6(self._bn1(self._depthwise_conv(x)))))
        return x + inputs if self.skip else x


class Lite(nn.Module):
    def __init__(self, width, depth):
        super().__init__()
        specs = stages(width, depth)
        self._conv_stem = SameConv2d(3, 32, 3, 2)
        self._bn0 = nn.BatchNorm2d(32, eps=1e-3)
        blocks = []
        for r, k, s, e, cin, cout in specs:
            for i in range(r):
                blocks.append(Block(cin if i == 0 else cout, cout, k, s if i == 0 else 1, e))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(specs[-1][5], 1280, 1)
        self._bn1 = nn.BatchNorm2d(1280, eps=1e-3)
        self._fc = nn.Linear(1280, 1000)

    def forward(self, x01):
        """Returns {layer name: activation} for stem, every block, head and logits."""
        out = {}
        x = F.relu6(self._bn0(self._conv_stem(x01 * 255 / 128 - 127 / 128)))
        out["stem"] = x
        for i, b in enumerate(self._blocks):
            x = b(x)
            out[f"_blocks.{i}"] = x
        x = F.relu6(self._bn1(self._conv_head(x)))
        out["head"] = x
        out["logits"] = self._fc(x.mean(dim=(2, 3)))
        return out


def read_png_rgb(path):
    """8-bit RGB/RGBA PNG without interlacing → [H][W][3] floats in [0, 1] (no numpy, no PIL)."""
    data = open(path, "rb").read()
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IDAT":
            idat += body
        else:
            chunks[kind] = body
        pos += 12 + n
    w, h, bits, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert bits == 8 and ctype in (2, 6) and interlace == 0, (bits, ctype, interlace)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    t = torch.tensor([list(r) for r in rows], dtype=torch.float32).view(h, w, bpp)[:, :, :3]
    return t.permute(2, 0, 1).unsqueeze(0) / 255


def stats(t, gen):
    flat = t.detach().double().flatten()
    samples = []
    for _ in range(8):
        index = [int(torch.randint(0, d, (1,), generator=gen)) for d in t.shape]
        samples.append({"index": index, "value": float(t[tuple(index)])})
    return {"shape": list(t.shape), "mean": float(flat.mean()), "std": float(flat.std()),
            "abs_sum": float(flat.abs().sum()), "samples": samples}


def main(name):
    width, depth, size, weights = VARIANTS[name]
    model = Lite(width, depth)
    model.load_state_dict(torch.load(os.path.join(CACHE, weights), map_location="cpu", weights_only=False), strict=True)
    model.eval()
    photo = read_png_rgb(os.path.join(ROOT, "data/photos/chelsea.png"))
    h, w = photo.shape[2:]
    left, top = (w - size) // 2, (h - size) // 2
    x = photo[:, :, top:top + size, left:left + size].contiguous()
    gen = torch.Generator().manual_seed(15)
    with torch.no_grad():
        out = model(x)
    logits = out["logits"][0]
    prob = logits.double().softmax(0)
    top5 = prob.topk(5)
    layers = {k: stats(v, gen) for k, v in out.items() if k != "logits"}

    layer, channel = "_blocks.8", 7
    xg = x.clone().requires_grad_(True)
    objective = model(xg)[layer][:, channel].mean()
    objective.backward()
    g = xg.grad.detach()
    grad = {"objective": f"mean of channel {channel} of {layer}", "value": float(objective), "shape": list(g.shape),
            "abs_sum": float(g.double().abs().sum()), "sum": float(g.double().sum()),
            "samples": [{"index": i, "value": float(g[tuple(i)])} for i in
                        ([0, c, int(torch.randint(0, size, (1,), generator=gen)), int(torch.randint(0, size, (1,), generator=gen))]
                         for c in (0, 1, 2, 0, 1, 2))]}
    record = {
        "input": {"photo": "chelsea.png", "crop_origin_xy": [left, top], "size": size,
                  "layout": "NCHW, RGB in [0,1] = uint8/255; the network sees (x*255-127)/128"},
        "logits": [round(float(v), 5) for v in logits],
        "top5": [{"class": int(c), "prob": round(float(p), 5)} for p, c in zip(top5.values, top5.indices)],
        "layers": layers,
        "input_gradient": grad,
        "parameters": sum(v.numel() for k, v in model.state_dict().items() if "running" not in k and "num_batches" not in k),
        "note": f"Computed by PyTorch {torch.__version__} (CPU, float32) with scripts/reference/efficientnet-lite.py: "
                "TF-SAME padding, BN eps 1e-3, ReLU6, BatchNorm in eval mode, centre crop of chelsea.png.",
    }
    path = os.path.join(ROOT, f"Tests/Fixtures/reference/efficientnet-{name}-chelsea.json")
    with open(path + ".tmp", "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(path, "top-1", int(top5.indices[0]), round(float(top5.values[0]), 4), "parameters", record["parameters"],
          "blocks", len(model._blocks))


if __name__ == "__main__":
    torch.set_num_threads(1)
    for arg in sys.argv[1:] or ["lite1", "lite2"]:  # lite0: its committed file predates this script
        main(arg)
