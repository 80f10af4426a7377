#!/usr/bin/env bash
# Easel's Real-ESRGAN x4plus against PyTorch with the same ncnn weights, on three photos.
#
#   scripts/check-upscale-psnr.sh
#
# 1. scripts/golden/realesrgan_reference.py photos: scikit-image's astronaut, coffee and chelsea
#    (centre square, bicubic to 128×128) through a PyTorch RRDBNet loaded from
#    models/realesrgan/realesrgan-x4plus.{param,bin} (10 px reflect pre-pad, untiled, clamped),
#    written to out/upscale-golden/ as <name>_input.png, <name>_torch.png and float outputs.
# 2. `easel run pipelines/upscale.yaml` on each <name>_input.png (release build).
# 3. PSNR of Easel's PNG against PyTorch's float output (8-bit rounding alone caps this near
#    59 dB) and against PyTorch's PNG; the target is ≥ 50 dB.
# Needs the reference venv (scripts/setup-python.sh) and the models (scripts/setup-models.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${EASEL_VENV:-.venv}/bin/python
OUT=out/upscale-golden
"$PY" scripts/golden/realesrgan_reference.py photos
# EASEL_BIN: use this easel binary instead of building one; EASEL_SCRATCH_PATH: build folder.
if [ -z "${EASEL_BIN:-}" ]; then
  BUILD=(swift build -c release ${EASEL_SCRATCH_PATH:+--scratch-path "$EASEL_SCRATCH_PATH"})
  "${BUILD[@]}" --product easel >/dev/null
  EASEL_BIN="$("${BUILD[@]}" --show-bin-path)/easel"
fi
EASEL=$EASEL_BIN
for name in astronaut coffee chelsea; do
  "$EASEL" run pipelines/upscale.yaml --image "$OUT/${name}_input.png" --out "$OUT/easel-$name" --force --quiet
done
"$PY" - "$OUT" <<'PYEOF'
import sys, glob
import numpy as np
from PIL import Image
from safetensors.numpy import load_file
out = sys.argv[1]
def psnr(a, b):
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1 / mse)
worst = float("inf")
for name in ("astronaut", "coffee", "chelsea"):
    easel_png = np.asarray(Image.open(glob.glob(f"{out}/easel-{name}/*.png")[0]).convert("RGB")).astype(np.float32) / 255
    torch_float = load_file(f"{out}/{name}.safetensors")["output"][0]
    torch_png = np.asarray(Image.open(f"{out}/{name}_torch.png").convert("RGB")).astype(np.float32) / 255
    a, b = psnr(easel_png, torch_float), psnr(easel_png, torch_png)
    worst = min(worst, a)
    print(f"{name:10s} {easel_png.shape}: PSNR vs PyTorch float {a:6.2f} dB, vs PyTorch PNG {b:6.2f} dB, "
          f"max |Δ| {np.abs(easel_png - torch_float).max() * 255:.2f}/255")
print("PASS" if worst >= 50 else "FAIL", f"(worst {worst:.2f} dB, target ≥ 50 dB)")
sys.exit(0 if worst >= 50 else 1)
PYEOF
