#!/usr/bin/env bash
# The test command (README): the whole suite on this machine's SIMD path, then the kernel tests again
# in a build for AVX2-only x86-64, and a compile of the generic (no target CPU) SIMD path.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
if [ "$(uname -m)" = "x86_64" ]; then
  EASEL_TARGET_CPU=haswell swift test --scratch-path .build-avx2 --filter TensorCoreTests
  EASEL_TARGET_CPU=generic swift build --scratch-path .build-generic --target TensorCore
fi
