#!/usr/bin/env bash
# The test command (README): a compile of the portable SIMD path and the kernel tests in a build for
# AVX2-only x86-64, then the whole suite on this machine's SIMD path.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -m)" = "x86_64" ]; then
  EASEL_TARGET_CPU=generic swift build --scratch-path .build-generic --target TensorCore
  EASEL_TARGET_CPU=haswell swift test --scratch-path .build-avx2 --filter TensorCoreTests
fi
swift test
