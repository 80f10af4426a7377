#!/usr/bin/env bash
# The README's first command: set up on a fresh Debian/Ubuntu machine and run the main job.
#   scripts/quickstart.sh ["PROMPT"]
# Installs the Debian packages Easel links against (root or sudo), builds easel in release mode and
# renders the prompt with pipelines/text-to-image.yaml on the embedded default model
# (assets/models/emoji-unclip) into out/quickstart/, printing how long the render took.
set -euo pipefail
cd "$(dirname "$0")/.."
PROMPT=${1:-red apple}
bash .ci/install-deps.sh
swift build -c release --product easel
start=$EPOCHREALTIME
.build/release/easel run pipelines/text-to-image.yaml --prompt "$PROMPT" --out out/quickstart
end=$EPOCHREALTIME
printf 'rendered "%s" in %.1f s (after the build); files in out/quickstart/\n' "$PROMPT" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
