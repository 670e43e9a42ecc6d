#!/usr/bin/env bash
# The README's main-job command: install what is missing, build, and run the main job offline.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
BIN=${BUILD_DIR:-build}/bin/trmbench
OUT=${OUT:-out}
mkdir -p "$OUT/data/generated"
# Until the suite runner exists, the main job is the task demo: generate and inspect datasets.
"$BIN" data generate sudoku --n 200 --seed 1 --out "$OUT/data/sudoku/generated-200.csv"
"$BIN" --data-dir "$OUT/data" data list
"$BIN" --data-dir "$OUT/data" data stats sudoku/generated-200
