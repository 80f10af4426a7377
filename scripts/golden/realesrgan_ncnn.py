"""ncnn .param/.bin reading and writing plus the two Real-ESRGAN architectures in PyTorch.

Shared by scripts/golden/realesrgan_reference.py and scripts/bench/upscale_torch.py.
The modules are basicsr's RRDBNet and Real-ESRGAN's SRVGGNetCompact (basicsr 1.4.2 /
realesrgan 0.3.0 definitions, re-typed here so neither package is needed); their weights come from the
ncnn files in conv order, exactly as Easel maps them.
Pinned: torch 2.13.0 (CPU), numpy 2.4.6 (scripts/requirements-reference.txt).
"""
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FP16_TAG = 0x01306B47


def parse_param(path):
    """Layers as dicts: type, name, bottoms, tops, params {key: int|float|list}."""
    lines = open(path).read().split("\n")
    assert lines[0].strip() == "7767517", f"{path}: bad magic"
    layer_count, _ = map(int, lines[1].split())
    layers = []
    for raw in lines[2:]:
        fields = raw.split()
        if not fields:
            continue
        bc, tc = int(fields[2]), int(fields[3])
        params = {}
        for pair in fields[4 + bc + tc:]:
            k, v = pair.split("=", 1)
            k = int(k)
            if k <= -23300:
                params[-k - 23300] = [float(x) for x in v.split(",")[1:]]
            else:
                params[k] = int(v) if v.lstrip("-").isdigit() else float(v)
        layers.append(dict(type=fields[0], name=fields[1], bottoms=fields[4:4 + bc],
                           tops=fields[4 + bc:4 + bc + tc], params=params))
    assert len(layers) == layer_count
    return layers


def read_bin(path, layers):
    """Walks the graph as ncnn's ModelBin does; returns {layer name: [np.float32 arrays]}."""
    data = open(path, "rb").read()
    pos = 0
    weights = {}

    def raw(n):
        nonlocal pos
        a = np.frombuffer(data, np.float32, n, pos).copy()
        pos += 4 * n
        return a

    def tagged(n):
        nonlocal pos
        tag = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        if tag == FP16_TAG:
            a = np.frombuffer(data, np.float16, n, pos).astype(np.float32)
            pos += (2 * n + 3) // 4 * 4
            return a
        assert tag == 0, f"unsupported tag {tag:#x}"
        return raw(n)

    for layer in layers:
        p = layer["params"]
        if layer["type"] == "Convolution":
            o, kw = p[0], p[1]
            kh = p.get(11, kw)
            size = p[6]
            w = tagged(size).reshape(o, size // (o * kh * kw), kh, kw)
            weights[layer["name"]] = [w] + ([raw(o)] if p.get(5, 0) else [])
        elif layer["type"] == "PReLU":
            weights[layer["name"]] = [raw(p.get(0, 1))]
    assert pos == len(data), f"{path}: {len(data) - pos} bytes left over"
    return weights


def write_ncnn(param_path, bin_path, layers, weights):
    """Writes layers (as parse_param returns them) and weights (conv weight fp16-tagged, rest fp32)."""
    blobs = {t for layer in layers for t in layer["tops"]}
    with open(param_path, "w") as f:
        f.write(f"7767517\n{len(layers)} {len(blobs)}\n")
        for layer in layers:
            parts = [layer["type"], layer["name"], str(len(layer["bottoms"])), str(len(layer["tops"]))]
            parts += layer["bottoms"] + layer["tops"]
            for k, v in layer["params"].items():
                if isinstance(v, list):
                    parts.append(f"{-23300 - k}={len(v)}," + ",".join(f"{x:.6e}" for x in v))
                elif isinstance(v, float):
                    parts.append(f"{k}={v:.6e}")
                else:
                    parts.append(f"{k}={v}")
            f.write(" ".join(parts) + "\n")
    with open(bin_path, "wb") as f:
        for layer in layers:
            tensors = weights.get(layer["name"], [])
            for i, t in enumerate(tensors):
                if layer["type"] == "Convolution" and i == 0:
                    half = t.astype(np.float16).tobytes()
                    f.write(struct.pack("<I", FP16_TAG) + half + b"\0" * ((-len(half)) % 4))
                else:
                    f.write(t.astype(np.float32).tobytes())


# --- basicsr RRDBNet (scale 4) ---------------------------------------------------------------------
class ResidualDenseBlock(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, gc, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + gc, gc, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(nf, gc)
        self.rdb2 = ResidualDenseBlock(nf, gc)
        self.rdb3 = ResidualDenseBlock(nf, gc)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_block=23, num_grow_ch=32):
        super().__init__()
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x):
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))


def rrdb_conv_names(num_block):
    """basicsr state-dict prefixes in ncnn conv order (the order Easel's table uses too)."""
    names = ["conv_first"]
    for b in range(num_block):
        for r in (1, 2, 3):
            names += [f"body.{b}.rdb{r}.conv{c}" for c in range(1, 6)]
    return names + ["conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]


# --- Real-ESRGAN SRVGGNetCompact -------------------------------------------------------------------
class SRVGGNetCompact(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=16, upscale=4):
        super().__init__()
        self.upscale = upscale
        body = [nn.Conv2d(num_in_ch, num_feat, 3, 1, 1), nn.PReLU(num_parameters=num_feat)]
        for _ in range(num_conv):
            body += [nn.Conv2d(num_feat, num_feat, 3, 1, 1), nn.PReLU(num_parameters=num_feat)]
        body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.body = nn.ModuleList(body)
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        return out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


class NCNNUpscaler(nn.Module):
    """Either architecture, built from an ncnn graph, plus the graph's final bicubic resize (x2/x3)."""

    def __init__(self, param_path, bin_path):
        super().__init__()
        layers = parse_param(param_path)
        weights = read_bin(bin_path, layers)
        convs = [l for l in layers if l["type"] == "Convolution"]
        self.resize = None
        for l in layers:
            if l["type"] == "Interp" and l["params"].get(0) == 3:
                self.resize = float(l["params"][1])
        if any(l["type"] == "PReLU" for l in layers):
            net = SRVGGNetCompact(num_feat=convs[0]["params"][0], num_conv=len(convs) - 2,
                                  upscale=int(round((convs[-1]["params"][0] // 3) ** 0.5)))
            state = {}
            modules = [l for l in layers if l["type"] in ("Convolution", "PReLU")]
            for i, l in enumerate(modules):
                w = weights[l["name"]]
                if l["type"] == "Convolution":
                    state[f"body.{i}.weight"], state[f"body.{i}.bias"] = map(torch.from_numpy, w)
                else:
                    state[f"body.{i}.weight"] = torch.from_numpy(w[0])
        else:
            nf, gc = convs[0]["params"][0], convs[1]["params"][0]
            net = RRDBNet(num_feat=nf, num_block=(len(convs) - 6) // 15, num_grow_ch=gc)
            state = {}
            for name, l in zip(rrdb_conv_names((len(convs) - 6) // 15), convs):
                state[name + ".weight"], state[name + ".bias"] = map(torch.from_numpy, weights[l["name"]])
        net.load_state_dict(state)
        self.net = net.eval()
        self.scale = 4 if self.resize is None else 4 * self.resize

    @torch.no_grad()
    def forward(self, x, pre_pad=10):
        """x [N,3,H,W] in 0...1 -> [N,3,sH,sW], reflect-padded by pre_pad like ncnn, not clamped."""
        h, w = x.shape[-2:]
        if pre_pad:
            x = F.pad(x, (pre_pad, pre_pad, pre_pad, pre_pad), mode="reflect")
        out = self.net(x)
        if self.resize is not None:
            out = F.interpolate(out, scale_factor=self.resize, mode="bicubic", align_corners=False)
        s = out.shape[-1] // x.shape[-1] if self.resize is None else self.scale
        top = int(round(pre_pad * s))
        return out[..., top:top + int(round(h * s)), top:top + int(round(w * s))]
