#!/usr/bin/env bash
# Benchmark (not a test): Real-ESRGAN x4plus, 256×256 → 1024×1024, Easel vs PyTorch CPU with the same
# weights, 1 and 2 threads, alternating in the same run. Each side is one whole process (start-up,
# weight loading, PNG in and out) measured by /usr/bin/time: wall seconds and peak RSS.
#
#   scripts/bench/upscale.sh [ROUNDS]      # default 1 round; CPU-heavy (~1-2 minutes per round)
#
# Easel runs `easel run pipelines/upscale.yaml` (release build, tile 512 = the image whole, so both
# sides compute exactly the same thing). Needs .venv (scripts/setup-python.sh) and the models
# (scripts/setup-models.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${EASEL_VENV:-.venv}/bin/python
ROUNDS=${1:-1}
WORK=out/upscale-bench
mkdir -p "$WORK"
"$PY" -c "
from PIL import Image
from skimage import data
Image.fromarray(data.astronaut()).resize((256, 256), Image.BICUBIC).save('$WORK/astronaut-256.png')
"
# EASEL_BIN: use this easel binary instead of building one; EASEL_SCRATCH_PATH: build folder.
if [ -z "${EASEL_BIN:-}" ]; then
  BUILD=(swift build -c release ${EASEL_SCRATCH_PATH:+--scratch-path "$EASEL_SCRATCH_PATH"})
  "${BUILD[@]}" --product easel >/dev/null
  EASEL_BIN="$("${BUILD[@]}" --show-bin-path)/easel"
fi
EASEL=$EASEL_BIN
measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >"$WORK/log.txt" 2>&1 || { cat "$WORK/log.txt"; exit 1; }
  read -r wall rss <"$WORK/time.txt"
  printf "%-22s %8.2f s  %6d MB  %s\n" "$label" "$wall" $((rss / 1024)) "$(grep -h 'torch forward' "$WORK/log.txt" || true)"
}
echo "Real-ESRGAN x4plus 256×256 -> 1024×1024 on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for round in $(seq "$ROUNDS"); do
  for threads in 1 2; do
    measure "easel   ${threads} thread(s)" env EASEL_THREADS=$threads "$EASEL" run pipelines/upscale.yaml \
      --image "$WORK/astronaut-256.png" --out "$WORK/easel-$threads" --threads "$threads" --force --quiet
    measure "pytorch ${threads} thread(s)" env OMP_NUM_THREADS=$threads "$PY" scripts/bench/upscale_torch.py \
      "$WORK/astronaut-256.png" "$WORK/torch-$threads.png" "$threads"
  done
done
