#!/usr/bin/env bash
# The README's contact sheet of the default model: the main job (pipelines/text-to-image.yaml, seed 0)
# on every prompt of a prompt file, laid out with `easel sheet`, one cell per prompt in file order.
#   scripts/contact-sheet.sh [PROMPTS] [SHEET]    # defaults: docs/sheet-prompts.txt docs/images/emoji-unclip-sheet.png
set -euo pipefail
cd "$(dirname "$0")/.."
PROMPTS=${1:-docs/sheet-prompts.txt}
SHEET=${2:-docs/images/emoji-unclip-sheet.png}
WORK=${WORK:-out/contact-sheet}
swift build -c release --product easel >&2
EASEL=$(swift build -c release --show-bin-path)/easel
rm -rf "$WORK"
cells=()
number=0
while IFS= read -r prompt; do
  [[ -z "$prompt" || "$prompt" == \#* ]] && continue
  number=$((number + 1))
  folder=$(printf '%s/%02d' "$WORK" "$number")
  "$EASEL" run pipelines/text-to-image.yaml --prompt "$prompt" --seed 0 --out "$folder" --quiet
  cells+=("$folder"/*.png)
done < "$PROMPTS"
"$EASEL" sheet "${cells[@]}" --columns 6 --out "$SHEET"
echo "$SHEET: ${#cells[@]} prompts"
