#!/usr/bin/env bash
# gpu-check: `make gpu-check`, on a machine with an NVIDIA GPU (never in
# CI): GPU_N kernels of every profile (default 2000), then CPU against CUDA
# over them (`validate --tier run --devices cuda`): the table, and every
# divergence in $GPU_DIR/divergences.jsonl with its reproducer. GPU_STYLE
# picks the style (default realistic, generate's own default; synthetic for
# the grammar's own text), GPU_SEED the seed (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
JS=${JITSYNTH_BIN:-bin/jitsynth}
N=${GPU_N:-2000}
D=${GPU_DIR:-gpu-check}
"$JS" generate -n "$N" --categories all --style "${GPU_STYLE:-realistic}" --seed "${GPU_SEED:-1}" -o "$D" --force --validate none --quiet \
	${PYTHON:+--python "$PYTHON"}
"$JS" validate "$D" --tier run --devices cuda ${PYTHON:+--python "$PYTHON"}
