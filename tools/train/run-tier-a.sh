#!/usr/bin/env bash
# Tier A: the whole family on this 2-core CPU in two single-threaded lanes, niced so interactive
# work keeps priority. Budgets are wall-clock minutes; rerunning resumes every component from its
# checkpoint in tools/train/work. On a machine without checkpoints, INIT_FROM=assets/models/emoji-unclip
# continues from the committed weights instead of from scratch (the optimiser state starts afresh).
#   lane 1: clip (CLIP_MIN) -> decoder (DECODER_MIN)
#   lane 2: super_res (CLIP_MIN) -> prior (PRIOR_MIN, after clip) -> super_res (SUPER_RES_MIN)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
CLIP_MIN=${CLIP_MIN:-20} PRIOR_MIN=${PRIOR_MIN:-25} DECODER_MIN=${DECODER_MIN:-85} SUPER_RES_MIN=${SUPER_RES_MIN:-60}
INIT=(); if [ -n "${INIT_FROM:-}" ]; then INIT=(--init-from "$INIT_FROM"); fi
train() { nice -n 10 "$PY" tools/train/train.py "$1" --minutes "$2" --threads 1 "${INIT[@]}" 2>&1 | grep --line-buffered -v Processor; }
train clip "$CLIP_MIN" & clip=$!
train super_res "$CLIP_MIN"
wait "$clip"
train decoder "$DECODER_MIN" & decoder=$!
train prior "$PRIOR_MIN"
train super_res "$SUPER_RES_MIN"
wait "$decoder"
"$PY" tools/train/export.py
