#!/usr/bin/env python3
"""Golden values for TorchGenerator (Sources/TensorCore/TorchRandom.swift).

Pinned: torch 2.13.0+cpu, diffusers 0.42.0, safetensors 0.8.0, numpy 2.4.6 (Python 3.11).
Run with the reference venv from the repository root:

    .venv/bin/python scripts/golden/randn_literals.py

It prints Swift array literals for the small cases (pasted into
Tests/TensorCoreTests/TorchRandomTests.swift) and writes every case, the large ones included, to
Tests/TensorCoreTests/Resources/randn_golden.safetensors (~130 KB).

torch picks its float32 normal kernel by CPU: `normal_fill_AVX2` on x86-64 with AVX2 (AVX-512 CPUs
included, since normal is never dispatched to AVX-512) and the scalar `normal_fill` otherwise. The
script runs itself once more under ATEN_CPU_CAPABILITY=default to record the second kernel's values
("portable/..." keys). Both kernels share the path for fewer than 16 elements.
"""
import json
import os
import subprocess
import sys

import torch
from diffusers.utils.torch_utils import randn_tensor
from safetensors.torch import save_file

SEEDS = [0, 42, 2**32 + 1]
SIZES = [1, 15, 16, 17, 1000]
OUTPUT = "Tests/TensorCoreTests/Resources/randn_golden.safetensors"


def cases():
    """Every golden tensor of the current kernel, by key."""
    out = {}
    for seed in SEEDS:
        for size in SIZES:
            g = torch.Generator().manual_seed(seed)
            out[f"seed{seed}/n{size}"] = torch.randn(size, generator=g, dtype=torch.float32)
        # One generator, several draws: the cached normal of a small draw and the stream position
        # carry over, as when a diffusers scheduler draws variance noise step after step.
        g = torch.Generator().manual_seed(seed)
        out[f"seed{seed}/seq15"] = torch.randn(15, generator=g)
        out[f"seed{seed}/seq15_then17"] = torch.randn(17, generator=g)
        out[f"seed{seed}/seq15_then17_then3"] = torch.randn(3, generator=g)
        g = torch.Generator().manual_seed(seed)
        out[f"seed{seed}/rand20"] = torch.rand(20, generator=g)
        out[f"seed{seed}/rand20_then_randn5"] = torch.randn(5, generator=g)
    # What a pipeline does: diffusers' randn_tensor for a decoder latent [1, 3, 64, 64].
    g = torch.Generator().manual_seed(0)
    out["diffusers/seed0/latent_1x3x64x64"] = randn_tensor((1, 3, 64, 64), generator=g, dtype=torch.float32)
    out["diffusers/seed0/latent_then_1x3x64x64"] = randn_tensor((1, 3, 64, 64), generator=g, dtype=torch.float32)
    return {key: value.contiguous() for key, value in out.items()}


def swift_literal(tensor):
    """Shortest float32 repr of each value: Swift parses it back to the same float."""
    import numpy as np
    return "[" + ", ".join(repr(np.float32(v)).replace("np.float32(", "").rstrip(")") for v in tensor.flatten().tolist()) + "]"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--portable-child":
        # Print the portable kernel's tensors (the ones with >= 16 elements differ) as JSON bit patterns.
        result = {k: v.view(torch.int32).tolist() for k, v in cases().items()}
        print(json.dumps({"capability": torch.backends.cpu.get_cpu_capability(), "cases": result}))
        return

    capability = torch.backends.cpu.get_cpu_capability()
    assert capability in ("AVX2", "AVX512"), f"run this on an AVX2 machine (got {capability})"
    tensors = {f"avx2/{k}": v for k, v in cases().items()}
    child = subprocess.run(
        [sys.executable, __file__, "--portable-child"], check=True, capture_output=True, text=True,
        env={**os.environ, "ATEN_CPU_CAPABILITY": "default"})
    portable = json.loads(child.stdout)
    assert portable["capability"] == "DEFAULT", portable["capability"]
    for key, bits in portable["cases"].items():
        if key.startswith("diffusers/"):
            continue
        tensors[f"portable/{key}"] = torch.tensor(bits, dtype=torch.int32).view(torch.float32)

    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    save_file(tensors, OUTPUT, metadata={
        "torch": torch.__version__, "script": "scripts/golden/randn_literals.py",
        "capability": capability})
    print(f"wrote {OUTPUT} ({os.path.getsize(OUTPUT)} bytes, {len(tensors)} tensors)")

    print("// Literals for TorchRandomTests.swift (AVX2 kernel; torch", torch.__version__ + ")")
    for key in ["seed0/n1", "seed0/n15", "seed0/n16", "seed0/n17", "seed42/n17", f"seed{2**32 + 1}/n16",
                "seed0/seq15", "seed0/seq15_then17", "seed0/seq15_then17_then3"]:
        print(f'"{key}": {swift_literal(tensors["avx2/" + key])},')
    print("// portable kernel")
    for key in ["seed0/n16", "seed0/n17"]:
        print(f'"{key}": {swift_literal(tensors["portable/" + key])},')


if __name__ == "__main__":
    main()
