#!/usr/bin/env python3
"""Golden fixtures for TensorCore's matmul, linear, conv2d and scaled_dot_product_attention.

Pinned: torch 2.13.0 (CPU), safetensors 0.8.0, Python 3.11. Run from the repository root:
    .venv/bin/python scripts/golden/ops_gemm_conv_attention.py
Writes Tests/TensorCoreTests/Resources/{gemm,conv,attn}_golden.safetensors (small shapes, a few KB
each). Inputs are drawn from a seeded torch generator; half-precision weights are stored as f16/bf16
so the Swift side widens exactly the values torch saw. Outputs are torch's own f32 results.
"""
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join("Tests", "TensorCoreTests", "Resources")
META = {"torch": torch.__version__, "script": "scripts/golden/ops_gemm_conv_attention.py"}


def rand(generator, *shape):
    return torch.rand(*shape, generator=generator) * 2 - 1


def gemm(g):
    t = {}
    t["a"] = rand(g, 3, 17, 33)
    t["b"] = rand(g, 33, 20)
    t["b_f16"] = rand(g, 33, 20).half()
    t["b_bf16_t"] = rand(g, 3, 20, 33).bfloat16()  # batched, transposed
    t["matmul"] = t["a"] @ t["b"]
    t["matmul_f16"] = t["a"] @ t["b_f16"].float()
    t["matmul_bf16_t"] = t["a"] @ t["b_bf16_t"].float().transpose(-1, -2)
    t["x"] = rand(g, 4, 5, 37)
    t["weight_f16"] = rand(g, 23, 37).half()
    t["bias"] = rand(g, 23)
    t["linear"] = F.linear(t["x"], t["weight_f16"].float(), t["bias"])
    return t


def conv(g):
    t = {}
    t["x"] = rand(g, 2, 6, 11, 13)
    t["weight_g2_s2"] = rand(g, 8, 3, 3, 3)
    t["bias"] = rand(g, 8)
    t["conv_g2_s2_p1"] = F.conv2d(t["x"], t["weight_g2_s2"], t["bias"], stride=2, padding=1, groups=2)
    t["weight_bf16"] = rand(g, 5, 6, 3, 3).bfloat16()
    t["conv_bf16_p1"] = F.conv2d(t["x"], t["weight_bf16"].float(), None, stride=1, padding=1)
    t["weight_1x1_f16"] = rand(g, 7, 6, 1, 1).half()
    t["conv_1x1"] = F.conv2d(t["x"], t["weight_1x1_f16"].float(), None)
    return t


def attn(g):
    t = {}
    t["q"] = rand(g, 1, 2, 19, 8)
    t["k"] = rand(g, 1, 2, 23, 8)
    t["v"] = rand(g, 1, 2, 23, 8)
    t["mask"] = rand(g, 1, 1, 19, 23)
    t["sdpa_mask"] = F.scaled_dot_product_attention(t["q"], t["k"], t["v"], attn_mask=t["mask"])
    t["qc"] = rand(g, 2, 2, 21, 16)
    t["kc"] = rand(g, 2, 2, 21, 16)
    t["vc"] = rand(g, 2, 2, 21, 16)
    t["sdpa_causal"] = F.scaled_dot_product_attention(t["qc"], t["kc"], t["vc"], is_causal=True)
    t["sdpa_scale"] = F.scaled_dot_product_attention(t["qc"], t["kc"], t["vc"], scale=0.5)
    return t


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, build, seed in (("gemm", gemm, 1), ("conv", conv, 2), ("attn", attn, 3)):
        g = torch.Generator().manual_seed(seed)
        tensors = {key: value.contiguous() for key, value in build(g).items()}
        path = os.path.join(OUT, f"{name}_golden.safetensors")
        save_file(tensors, path, metadata=META)
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    with torch.no_grad():
        main()
