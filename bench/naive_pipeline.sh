#!/usr/bin/env bash
# The pipeline a user would script from the same packages, without mirbook's runner:
# for each report notebook in turn, the papermill CLI (one kernel per notebook), then
# `jupyter nbconvert --to html --no-input`, then the `weasyprint` CLI.
#
#   bench/naive_pipeline.sh BIN_DIR NOTEBOOKS_DIR DATA_DIR OUT_DIR YEAR PERIOD
set -euo pipefail
bin=$1 notebooks=$2 data=$3 out=$4 year=$5 period=$6
mkdir -p "$out"
cd "$notebooks"
for nb in [0-9][0-9]_*.ipynb; do
    name=${nb%.ipynb}
    "$bin/papermill" "$nb" "$out/$name.ipynb" -p year "$year" -p period "$period" -p data_dir "$data" \
        --no-progress-bar --log-level WARNING
    "$bin/jupyter" nbconvert --to html --no-input "$out/$name.ipynb" --output-dir "$out" --log-level WARN
    "$bin/weasyprint" "$out/$name.html" "$out/$name.pdf"
done
