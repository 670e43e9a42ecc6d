#!/usr/bin/env bash
# The README's test command: install what is missing, build, and run every (non-hidden) test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${CTEST_JOBS:-$(nproc)}" "$@"
