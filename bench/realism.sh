#!/usr/bin/env bash
# realism: `make bench-realism`, issue 12's figures. The distance of the
# generated kernels' Python from the Warp code that ships inside warp-lang
# (`stats --compare`: mean total-variation distance over the realism
# features, README.md "Realism"), for the seed's 11 categories, every
# profile pooled and each profile alone, in both styles; then the default's
# (every profile, realistic) buckets off by more than 2x, its distinct
# parameter names over 100,000 kernels and `sample`'s speed. No Warp, no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${REALISM_N:-10000}
SEED=${REALISM_SEED:-11}
JS=${JITSYNTH_BIN:-bin/jitsynth}
PY=${JITSYNTH_PYTHON:-.venv/bin/python}
W=$("$PY" -c 'import os, warp; print(os.path.dirname(warp.__file__))')
T=$(mktemp -d /tmp/jitsynth-realism.XXXXXX)
trap 'rm -rf "$T"' EXIT
REF=(--compare "$W/examples" --compare "$W/_src" --compare "$W/tests")

dist() { # sample args... -> "distance off"
	"$JS" sample -n "$N" --seed "$SEED" "$@" > "$T/k.py"
	"$JS" stats --sources "$T/k.py" "${REF[@]}" > "$T/s.txt"
	printf '%s %s' "$(sed -n 's/^distance   \([0-9.]*\) .*/\1/p' "$T/s.txt")" \
		"$(sed -n 's/^off >2x    \([0-9]*\) .*/\1/p' "$T/s.txt")"
}
echo "realism: $N kernels per row, seed $SEED, against $W/{examples,_src,tests}"
printf '%-34s %18s %18s\n' "kernels" "synthetic" "realistic"
printf '%-34s %18s %18s\n' "" "distance  off>2x" "distance  off>2x"
row() { # label sample-args...
	local label=$1; shift
	read -r a b < <(dist "$@" --style synthetic; echo)
	read -r c d < <(dist "$@" --style realistic; echo)
	printf '%-34s %10s %7s %10s %7s\n' "$label" "$a" "$b" "$c" "$d"
}
row "seed's 11 (--categories seed)" --categories seed
row "every profile (realistic: default)" --categories all
# the profiles' names: one block of `--categories all` draws each once
for p in $("$JS" sample -n 24 --categories all | sed -n 's/^# kernel [0-9]*: .* (\([a-z_]*\))$/\1/p' | sort); do
	row "  $p" --categories "$p"
done
"$JS" sample -n "$N" --seed "$SEED" > "$T/k.py"
"$JS" stats --sources "$T/k.py" "${REF[@]}" > "$T/s.txt"
echo "the default (every profile, realistic): the features' distances"
grep -E ' TV ' "$T/s.txt" | sed 's/^  */  /'
grep -E '^distance|^off >2x' "$T/s.txt"
mkdir -p "$T/100k"
for s in 0 20000 40000 60000 80000; do # files under stats' 16 MiB per file
	"$JS" sample -n 20000 --start $s --seed "$SEED" > "$T/100k/k$s.py"
done
"$JS" stats --sources "$T/100k" | grep -E 'kernels measured|distinct parameter names' | sed 's/^  */100k of the default: /'
start=$(date +%s.%N)
"$JS" sample -n 100000 > /dev/null
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "sample -n 100000 (the default: every profile, realistic): %.2f s, %.0f kernels/s\n", e - s, 100000 / (e - s) }'
