#!/usr/bin/env bash
# Configures and builds trmbench into build/ (Ninja, ccache when present). Extra args go to cmake.
# Set CMAKE_PREFIX_PATH=/path/to/libtorch to build against an official (CUDA) LibTorch instead.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja "$@"
elif [ $# -gt 0 ]; then
  cmake "$BUILD_DIR" "$@"
fi
ninja -C "$BUILD_DIR" -j "$JOBS"
