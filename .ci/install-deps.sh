#!/usr/bin/env bash
# Debian packages Easel builds and tests against (system libraries for PNG, WAV, video; ffprobe for tests).
set -euo pipefail
packages=(libpng-dev libsndfile1-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev pkg-config ffmpeg)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
