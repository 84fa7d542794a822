#!/usr/bin/env bash
# realism: `make bench-realism`, issue 12's figures. The distance of the
# generated kernels' Python from the Warp code that ships inside warp-lang
# (`stats --compare`: mean total-variation distance over the realism
# features, README.md "Realism"), for the seed-11 default, every profile
# pooled and each profile alone, in both styles; then the realistic pool's
# buckets off by more than 2x, its distinct parameter names over 100,000
# kernels and `sample`'s speed in the realistic style. No Warp, no GPU.
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
	read -r a b < <(dist "$@"; echo)
	read -r c d < <(dist "$@" --style realistic; echo)
	printf '%-34s %10s %7s %10s %7s\n' "$label" "$a" "$b" "$c" "$d"
}
row "default (seed's 11 categories)"
row "every profile (--categories all)" --categories all
for p in $("$JS" sample --help | sed -n '/Default: the 11/,/draws all/p' | tr ',.:' '   ' | tr ' ' '\n' |
	grep -E '^[a-z_]+$' | grep -vE '^(default|the|seed|categories|opt|in|all|draws|and)$' | sort -u); do
	row "  $p" --categories "$p"
done
"$JS" sample -n "$N" --seed "$SEED" --categories all --style realistic > "$T/k.py"
"$JS" stats --sources "$T/k.py" "${REF[@]}" > "$T/s.txt"
echo "realistic, every profile: the features' distances"
grep -E ' TV ' "$T/s.txt" | sed 's/^  */  /'
grep -E '^distance|^off >2x' "$T/s.txt"
mkdir -p "$T/100k"
for s in 0 20000 40000 60000 80000; do # files under stats' 16 MiB per file
	"$JS" sample -n 20000 --start $s --seed "$SEED" --categories all --style realistic > "$T/100k/k$s.py"
done
"$JS" stats --sources "$T/100k" | grep -E 'kernels measured|distinct parameter names' | sed 's/^  */100k realistic: /'
start=$(date +%s.%N)
"$JS" sample -n 100000 --categories all --style realistic > /dev/null
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "sample -n 100000 --style realistic (every profile): %.2f s, %.0f kernels/s\n", e - s, 100000 / (e - s) }'
