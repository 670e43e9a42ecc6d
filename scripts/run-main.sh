#!/usr/bin/env bash
# The README's main-job command: install what is missing, build, run the default suite offline and
# write the report.
#
#   trmbench run default   generated Sudoku and Maze sets (+ the hard Sudoku collection and ARC when
#                          the data dir has them), classical and trivial baselines, TRM/HRM checkpoints
#                          under checkpoints/ when present, every catalogue LLM whose API key is set
#                          (5-dollar cap); an interrupted run is resumed (--resume auto)
#   trmbench report        markdown + SVG/CSV/JSON from the database
#
# Environment: OUT (default out/), DATA_DIR (default $TRMBENCH_DATA, else ~/.local/share/trmbench/data),
# TRMBENCH_CACHE (generated sets; default $OUT/cache), REPORT_DIR (default reports/out), BUILD_DIR
# (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
. scripts/blas-env.sh
BIN=${BUILD_DIR:-build}/bin/trmbench
OUT=${OUT:-out}
REPORT_DIR=${REPORT_DIR:-reports/out}
mkdir -p "$OUT"
export TRMBENCH_CACHE=${TRMBENCH_CACHE:-$OUT/cache}
data_args=()
if [ -n "${DATA_DIR:-}" ]; then data_args=(--data-dir "$DATA_DIR"); fi

"$BIN" "${data_args[@]}" run default --db "$OUT/results.db" --resume auto

"$BIN" report --db "$OUT/results.db" --latest --out "$REPORT_DIR"
echo "report: $REPORT_DIR/report.md"
