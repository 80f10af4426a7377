#!/usr/bin/env bash
# Makes docs/images/upscale-comparison.png: scikit-image's astronaut reduced to 128×128, then ×4
# by bicubic interpolation and by Easel's Real-ESRGAN x4plus, beside the 512×512 original.
#
#   scripts/make-upscale-comparison.sh
#
# Needs the reference venv (PIL, scikit-image) and the models (scripts/setup-models.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${EASEL_VENV:-.venv}/bin/python
WORK=out/upscale-comparison
mkdir -p "$WORK" docs/images
"$PY" -c "
from PIL import Image
from skimage import data
Image.fromarray(data.astronaut()).resize((128, 128), Image.BICUBIC, reducing_gap=None).save('$WORK/astronaut-128.png')
"
# EASEL_BIN: use this easel binary instead of building one; EASEL_SCRATCH_PATH: build folder.
if [ -z "${EASEL_BIN:-}" ]; then
  BUILD=(swift build -c release ${EASEL_SCRATCH_PATH:+--scratch-path "$EASEL_SCRATCH_PATH"})
  "${BUILD[@]}" --product easel >/dev/null
  EASEL_BIN="$("${BUILD[@]}" --show-bin-path)/easel"
fi
"$EASEL_BIN" run pipelines/upscale.yaml --image "$WORK/astronaut-128.png" \
  --out "$WORK/easel" --force --quiet
"$PY" - "$WORK" <<'PYEOF'
import sys, glob
from PIL import Image, ImageDraw
from skimage import data
work = sys.argv[1]
small = Image.open(f"{work}/astronaut-128.png").convert("RGB")
easel = Image.open(glob.glob(f"{work}/easel/*.png")[0]).convert("RGB")
panels = [("bicubic x4", small.resize((512, 512), Image.BICUBIC)), ("Easel Real-ESRGAN x4plus", easel),
          ("original 512x512", Image.fromarray(data.astronaut()))]
box = (96, 16, 352, 272)  # the face and helmet, 256×256 of the 512×512 results
sheet = Image.new("RGB", (3 * 256 + 4 * 8, 256 + 8 + 24), "white")
draw = ImageDraw.Draw(sheet)
for i, (label, image) in enumerate(panels):
    x = 8 + i * (256 + 8)
    sheet.paste(image.crop(box), (x, 8))
    draw.text((x, 256 + 12), label, fill="black")
sheet.save("docs/images/upscale-comparison.png", optimize=True)
print("wrote docs/images/upscale-comparison.png")
PYEOF
