#!/usr/bin/env bash
# The README's test command: install what is missing, build, and run every (non-hidden) test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# llama.cpp's llama-server for the local-LLM integration test (tests/unit/cli/llama_server_test.cpp):
# built once into the cache (~7 min cold on 2 cores), reused afterwards. A failure stops the run.
TRMBENCH_LLAMA_SERVER=$(scripts/llama-server.sh)
export TRMBENCH_LLAMA_SERVER
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${CTEST_JOBS:-$(nproc)}" "$@"
