#!/usr/bin/env bash
# Snakemake runs this once, inside envs/painstress.yaml's new conda environment, from the
# run's working directory: it installs the painstress package (this repository's src/).
# Used as a module from another folder, point PAINSTRESS_SOURCE at a clone of this workflow.
set -euo pipefail
source="${PAINSTRESS_SOURCE:-$PWD}"
if [ ! -f "$source/pyproject.toml" ] || [ ! -d "$source/src/painstress" ]; then
    echo "painstress: no workflow clone at $source; set PAINSTRESS_SOURCE to the folder" \
         "that holds pyproject.toml and src/painstress" >&2
    exit 1
fi
python -m pip install --no-deps --disable-pip-version-check "$source"
