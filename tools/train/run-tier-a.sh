#!/usr/bin/env bash
# Tier A: the whole family on this CPU, niced so it only uses idle cycles. Budgets are wall-clock
# minutes per component; rerunning resumes every component from its checkpoint in tools/train/work.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
CLIP_MIN=${CLIP_MIN:-12} PRIOR_MIN=${PRIOR_MIN:-12} DECODER_MIN=${DECODER_MIN:-60} SUPER_RES_MIN=${SUPER_RES_MIN:-20}
for step in "clip $CLIP_MIN" "prior $PRIOR_MIN" "decoder $DECODER_MIN" "super_res $SUPER_RES_MIN"; do
  set -- $step
  nice -n 19 "$PY" tools/train/train.py "$1" --minutes "$2"
done
"$PY" tools/train/export.py
