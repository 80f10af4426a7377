"""PyTorch side of scripts/bench/upscale.sh: Real-ESRGAN x4plus (RRDBNet, the same ncnn weights as
Easel, 10 px reflect pre-pad, untiled, clamped) on one PNG, written as PNG, as one process.

  python scripts/bench/upscale_torch.py INPUT.png OUTPUT.png THREADS

Prints the forward time; the caller measures the whole process (wall time, peak RSS).
Pinned: torch 2.13.0 (CPU), numpy 2.4.6, pillow 13.0.0.
"""
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "golden"))
from realesrgan_ncnn import NCNNUpscaler  # noqa: E402

source, target, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
models = os.environ.get("EASEL_MODELS_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "models", "realesrgan"))
model = NCNNUpscaler(os.path.join(models, "realesrgan-x4plus.param"), os.path.join(models, "realesrgan-x4plus.bin"))
pixels = np.asarray(Image.open(source).convert("RGB")).astype(np.float32) / 255
x = torch.from_numpy(pixels).permute(2, 0, 1)[None].contiguous()
start = time.perf_counter()
out = model(x).clamp(0, 1)
elapsed = time.perf_counter() - start
Image.fromarray((out[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)).save(target)
print(f"torch forward {elapsed:.2f} s ({threads} thread{'s' if threads > 1 else ''})")
