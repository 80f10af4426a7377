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
"$PY" -m pip install --quiet -r scripts/requirements-reference.txt
"$PY" -c 'import torch, diffusers, transformers; print("reference venv ready:", torch.__version__, diffusers.__version__, transformers.__version__)'
