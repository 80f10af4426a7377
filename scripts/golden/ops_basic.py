#!/usr/bin/env python3
"""Golden values for the non-GEMM ops of TensorCore (element-wise, normalisation, resize, padding,
shape ops, timestep embeddings), checked by Tests/TensorCoreTests/OpsGoldenTests.swift.

Pinned: torch 2.13.0+cpu, diffusers 0.42.0, safetensors 0.8.0 (Python 3.11).
Run with the reference venv from the repository root:

    .venv/bin/python scripts/golden/ops_basic.py

Writes three small fixtures (~115 KB together) to Tests/TensorCoreTests/Resources/:
  ops_elementwise.safetensors  activations, broadcasting, norms, softmax, reductions, prelu
  ops_resize.safetensors       F.interpolate (nearest, bilinear, bicubic, antialias), F.pad,
                               F.pixel_shuffle, F.avg_pool2d
  ops_embedding.safetensors    diffusers get_timestep_embedding, slerp

Key names are "<case>/<role>"; the Swift test knows each case's parameters (they are repeated in the
comment next to every case here). All tensors are float32, inputs drawn from torch.randn with a
fixed seed.
"""
import math

import torch
import torch.nn.functional as F
from diffusers.models.embeddings import get_timestep_embedding
from safetensors.torch import save_file

RESOURCES = "Tests/TensorCoreTests/Resources"
torch.manual_seed(1234)
torch.set_num_threads(1)


def randn(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).float().contiguous()


def elementwise():
    out = {}
    x = randn(3, 37, scale=3.0)  # odd row length: exercises the SIMD tails
    out["x"] = x
    out["gelu"] = F.gelu(x)
    out["gelu_tanh"] = F.gelu(x, approximate="tanh")
    out["silu"] = F.silu(x)
    out["sigmoid"] = torch.sigmoid(x)
    out["quick_gelu"] = x * torch.sigmoid(1.702 * x)
    out["tanh"] = torch.tanh(x)
    out["exp"] = torch.exp(x)
    out["log"] = torch.log(x.abs() + 0.1)  # input: |x| + 0.1
    out["sqrt"] = torch.sqrt(x.abs() + 0.1)
    out["rsqrt"] = torch.rsqrt(x.abs() + 0.1)
    out["leaky_relu"] = F.leaky_relu(x, 0.2)  # slope 0.2
    out["relu"] = F.relu(x)
    out["abs"] = x.abs()
    out["clamp"] = x.clamp(-1.5, 2.0)  # min -1.5, max 2
    out["softmax"] = torch.softmax(x * 4, dim=-1)  # input: 4x
    w = randn(37)
    b = randn(37)
    out["layer_norm/weight"] = w
    out["layer_norm/bias"] = b
    out["layer_norm"] = F.layer_norm(x, (37,), w, b, eps=1e-5)  # eps 1e-5
    out["layer_norm_plain"] = F.layer_norm(x, (37,), eps=1e-6)  # no affine, eps 1e-6
    out["l2_normalize"] = F.normalize(x, dim=-1)

    # Group norm, 4-D with affine (groups 4, eps 1e-6) and 3-D without (groups 3, eps 1e-5).
    g = randn(2, 8, 5, 7, scale=2.0) + 0.5
    gw = randn(8)
    gb = randn(8)
    out["group_norm/x"] = g
    out["group_norm/weight"] = gw
    out["group_norm/bias"] = gb
    out["group_norm"] = F.group_norm(g, 4, gw, gb, eps=1e-6)
    g3 = randn(2, 6, 10)
    out["group_norm3/x"] = g3
    out["group_norm3"] = F.group_norm(g3, 3, eps=1e-5)

    # Broadcasting: [2,3,4,5] with [3,1,5]; divisor kept away from zero.
    a = randn(2, 3, 4, 5)
    bb = randn(3, 1, 5)
    d = bb.abs() + 0.5
    out["broadcast/a"] = a
    out["broadcast/b"] = bb
    out["broadcast/d"] = d
    out["broadcast/add"] = a + bb
    out["broadcast/sub"] = a - bb
    out["broadcast/mul"] = a * bb
    out["broadcast/div"] = a / d
    out["broadcast/add_scaled"] = a.add(a * 0.5 + 1, alpha=-0.3)  # a + (-0.3) * (0.5a + 1)

    # PReLU, per channel and shared.
    p = randn(2, 4, 3, 5)
    slopes = torch.tensor([0.1, -0.2, 0.3, 0.25])
    out["prelu/x"] = p
    out["prelu/slopes"] = slopes
    out["prelu"] = F.prelu(p, slopes)
    out["prelu_shared"] = F.prelu(p, torch.tensor([0.15]))  # single slope 0.15

    # Reductions.
    r = randn(3, 4, 5)
    out["reduce/x"] = r
    out["reduce/sum1"] = r.sum(dim=1)  # axis 1
    out["reduce/mean_last_keep"] = r.mean(dim=-1, keepdim=True)  # axis -1, keepDims
    out["reduce/sum0"] = r.sum(dim=0)  # axis 0
    return out


def resize():
    out = {}
    img = randn(1, 3, 13, 17)
    out["img"] = img
    # (name, mode, size, antialias)
    cases = [
        ("nearest_down", "nearest", (7, 9), False),
        ("nearest_up2", "nearest", (26, 34), False),
        ("nearest_up", "nearest", (20, 30), False),
        ("bilinear_down", "bilinear", (7, 9), False),
        ("bilinear_up", "bilinear", (25, 31), False),
        ("bicubic_down", "bicubic", (7, 9), False),
        ("bicubic_up", "bicubic", (25, 31), False),
        ("bilinear_aa_down", "bilinear", (7, 9), True),
        ("bilinear_aa_up", "bilinear", (25, 31), True),
        ("bicubic_aa_down", "bicubic", (7, 9), True),
        ("bicubic_aa_strong", "bicubic", (4, 5), True),
        ("bicubic_aa_up", "bicubic", (25, 31), True),
        ("bicubic_aa_mixed", "bicubic", (20, 8), True),
    ]
    for name, mode, size, aa in cases:
        kwargs = {} if mode == "nearest" else {"align_corners": False, "antialias": aa}
        out[name] = F.interpolate(img, size=size, mode=mode, **kwargs).contiguous()
    out["upsample2x"] = F.interpolate(img, scale_factor=2, mode="nearest")

    small = randn(1, 2, 6, 7)
    out["pad/x"] = small
    # F.pad order (left, right, top, bottom) = (2, 3, 1, 4)
    out["pad_reflect"] = F.pad(small, (2, 3, 1, 4), mode="reflect")
    out["pad_replicate"] = F.pad(small, (2, 3, 1, 4), mode="replicate")
    out["pad_zero"] = F.pad(small, (2, 3, 1, 4), mode="constant", value=0.0)

    shuffle = randn(1, 8, 3, 4)
    out["pixel_shuffle/x"] = shuffle
    out["pixel_shuffle"] = F.pixel_shuffle(shuffle, 2)  # upscale 2

    pool = randn(1, 2, 8, 9)
    out["avg_pool/x"] = pool
    out["avg_pool_k2s2"] = F.avg_pool2d(pool, 2, 2)
    out["avg_pool_k3s2"] = F.avg_pool2d(pool, 3, 2)
    return out


def slerp_rows(t, a, b):
    """Textbook slerp per row of the last dim (what TensorCore.slerp implements), in float64."""
    a64, b64 = a.double(), b.double()
    an = a64 / a64.norm(dim=-1, keepdim=True)
    bn = b64 / b64.norm(dim=-1, keepdim=True)
    omega = torch.acos((an * bn).sum(-1, keepdim=True).clamp(-1, 1))
    so = torch.sin(omega)
    return ((torch.sin((1 - t) * omega) / so) * a64 + (torch.sin(t * omega) / so) * b64).float()


def embedding():
    out = {}
    steps = torch.tensor([0.0, 1.0, 17.5, 500.0, 999.0])
    out["timesteps"] = steps
    # (name, dim, flip_sin_to_cos, downscale_freq_shift, scale, max_period)
    cases = [
        ("temb_32_flip_shift0", 32, True, 0.0, 1.0, 10000),
        ("temb_33_noflip_shift1", 33, False, 1.0, 1.0, 10000),
        ("temb_320_flip_shift0", 320, True, 0.0, 1.0, 10000),
        ("temb_16_scale2_period100", 16, False, 1.0, 2.0, 100),
    ]
    for name, dim, flip, shift, scale, period in cases:
        out[name] = get_timestep_embedding(steps, dim, flip_sin_to_cos=flip, downscale_freq_shift=shift,
                                           scale=scale, max_period=period)
    a = randn(3, 16)
    b = randn(3, 16)
    out["slerp/a"] = a
    out["slerp/b"] = b
    out["slerp_0.3"] = slerp_rows(0.3, a, b)  # t = 0.3
    return out


if __name__ == "__main__":
    for name, tensors in [("ops_elementwise", elementwise()), ("ops_resize", resize()), ("ops_embedding", embedding())]:
        tensors = {key: value.float().contiguous() for key, value in tensors.items()}
        path = f"{RESOURCES}/{name}.safetensors"
        save_file(tensors, path, metadata={"generator": "scripts/golden/ops_basic.py", "torch": torch.__version__})
        total = sum(v.numel() for v in tensors.values()) * 4
        print(f"{path}: {len(tensors)} tensors, {total} bytes of data")
