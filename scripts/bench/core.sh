#!/usr/bin/env bash
# The tensor-core benchmark: builds easel-bench (release), runs `easel-bench core` and the NumPy
# (OpenBLAS, SkylakeX kernel) and PyTorch CPU references at the same thread counts, alternating for
# ROUNDS rounds so that both sides see the same machine, and prints a table of the best time of each
# with the ratios. Copy the table into docs/performance.md with the date and the load it printed.
#   scripts/bench/core.sh                          # threads 1,2; 3 rounds
#   THREADS=1 ROUNDS=5 REPEATS=9 scripts/bench/core.sh
#   CPU_TIME=1 THREADS=1 scripts/bench/core.sh     # process CPU time: on a busy machine a
#                                                  # single-threaded run is not charged for the
#                                                  # time others hold the core (only for 1 thread)
# Needs the reference venv (.venv, scripts/setup-python.sh). Other processes on the cores show up
# directly in the numbers: run it on an otherwise idle machine where possible.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-1,2}
REPEATS=${REPEATS:-7}
ROUNDS=${ROUNDS:-3}
CPU_FLAG=()
if [ -n "${CPU_TIME:-}" ]; then CPU_FLAG=(--cpu-time); fi
SCRATCH=${SCRATCH:-.build}
PY=${EASEL_VENV:-.venv}/bin/python
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

swift build -c release --scratch-path "$SCRATCH" --product easel-bench >&2
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/easel-bench

echo "# $(date -u '+%Y-%m-%d %H:%M UTC')${CPU_TIME:+, CPU time}, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  echo "## round $round"
  "$BIN" core --threads "$THREADS" --repeats "$REPEATS" "${CPU_FLAG[@]}" | tee "$OUT/easel-$round.txt"
  "$PY" scripts/bench/core_reference.py --threads "$THREADS" --repeats "$REPEATS" "${CPU_FLAG[@]}" \
    | tee "$OUT/reference-$round.txt"
done
echo "# finished $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$PY" scripts/bench/core_reference.py --table "$OUT"/easel-*.txt "$OUT"/reference-*.txt
