#!/usr/bin/env bash
# Benchmark (not a test): one denoising step (batch 2 = classifier-free guidance) of the unCLIP prior and
# decoder UNet at Karlo's real sizes with random f16 weights, Easel vs diffusers on PyTorch CPU, 1 and 2
# threads, alternating in the same run. Every measurement is a fresh process: load, one warm-up
# forward, then the best of REPEATS forwards; peak RSS of the whole process.
#
#   scripts/bench/unclip.sh [REPEATS]      # default 2; CPU-heavy (several minutes), ~4 GB disk, ~8 GB RAM
#
# Easel: `easel-bench unclip` (release build), f16 weights memory-mapped, f32 activations.
# PyTorch: scripts/bench/unclip_torch.py, weights upcast to f32 at load, f32 compute.
# The folder .bench/unclip-karlo (git-ignored) is written by scripts/bench/unclip_fixture.py when absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${EASEL_VENV:-.venv}/bin/python
REPEATS=${1:-2}
FOLDER=.bench/unclip-karlo
if [ ! -f "$FOLDER/inputs.safetensors" ]; then
  "$PY" scripts/bench/unclip_fixture.py "$FOLDER"
fi
# EASEL_BENCH_BIN: use this easel-bench binary instead of building one; EASEL_SCRATCH_PATH: build folder.
if [ -z "${EASEL_BENCH_BIN:-}" ]; then
  BUILD=(swift build -c release ${EASEL_SCRATCH_PATH:+--scratch-path "$EASEL_SCRATCH_PATH"})
  "${BUILD[@]}" --product easel-bench >/dev/null
  EASEL_BENCH_BIN="$("${BUILD[@]}" --show-bin-path)/easel-bench"
fi
LOG=$FOLDER/results.txt
: >"$LOG"
echo "unCLIP one step at Karlo's sizes on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u '+%F %H:%M UTC')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for component in prior decoder; do
  for threads in 1 2; do
    OMP_NUM_THREADS=$threads "$EASEL_BENCH_BIN" unclip --folder "$FOLDER" --component "$component" \
      --threads "$threads" --repeats "$REPEATS" | grep '^RESULT' | tee -a "$LOG"
    OMP_NUM_THREADS=$threads "$PY" scripts/bench/unclip_torch.py "$FOLDER" "$component" "$threads" "$REPEATS" \
      | grep '^RESULT' | tee -a "$LOG"
  done
done
# The prior skips the padding positions of each prompt, so its time depends on the prompt's length:
# once more with a full 77-token conditional prompt (its worst case).
for threads in 1 2; do
  OMP_NUM_THREADS=$threads "$EASEL_BENCH_BIN" unclip --folder "$FOLDER" --component prior --threads "$threads" \
    --repeats "$REPEATS" --prompt-tokens 77 | grep '^RESULT' | tee -a "$LOG"
  OMP_NUM_THREADS=$threads "$PY" scripts/bench/unclip_torch.py "$FOLDER" prior "$threads" "$REPEATS" 77 \
    | grep '^RESULT' | tee -a "$LOG"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$LOG" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    fields = dict(f.split("=", 1) for f in line.split()[2:])
    rows[(fields["component"], fields["threads"], fields["prompt_tokens"], fields["side"])] = fields
print()
print("| component | threads | prompt tokens | Easel best s (CPU s) | PyTorch best s (CPU s) | time ratio (CPU) | Easel peak RSS MB | "
      "PyTorch peak RSS MB | RSS ratio | output mean abs Easel / PyTorch |")
print("|---|---|---|---|---|---|---|---|---|---|")
for component, tokens in (("prior", "12"), ("prior", "77"), ("decoder", "12")):
    for threads in ("1", "2"):
        e, t = rows.get((component, threads, tokens, "easel")), rows.get((component, threads, tokens, "torch"))
        if not e or not t:
            continue
        time_ratio = float(e["best_s"]) / float(t["best_s"])
        cpu_ratio = float(e["best_cpu_s"]) / float(t["best_cpu_s"])
        rss_ratio = int(e["peak_rss_mb"]) / int(t["peak_rss_mb"])
        print(f"| {component} | {threads} | {tokens} | {e['best_s']} ({e['best_cpu_s']}) | {t['best_s']} ({t['best_cpu_s']}) | "
              f"{time_ratio:.2f}× ({cpu_ratio:.2f}×) | {e['peak_rss_mb']} | "
              f"{t['peak_rss_mb']} | {rss_ratio:.2f}× | {e['out_mean_abs']} / {t['out_mean_abs']} |")
print("\ntargets: time ratio <= 0.5×, RSS ratio <= 0.6×")
EOF
