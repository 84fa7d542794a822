#!/usr/bin/env bash
# generator: `make bench-gen`, issue 3's and 12's figures in one run.
# Generates GEN_N kernels of the default (every profile, realistic style;
# GEN_OPTS="--style synthetic" for the synthetic one) through Warp's code generator (both
# devices, no compilers: this measures the generator and Warp's acceptance of
# it), then prints the codegen success rate, the most frequent reject
# reasons, builtin coverage by Warp's own groups, structural uniqueness and
# the bare generator's speed (`sample`, no Warp).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${GEN_N:-100000}
SEED=${GEN_SEED:-2026}
JS=${JITSYNTH_BIN:-bin/jitsynth}
T=${GEN_DIR:-$(mktemp -d /tmp/jitsynth-gen.XXXXXX)}
trap 'rm -rf "$T"' EXIT

OPTS=${GEN_OPTS:-}
echo "generator: $N kernels, every profile${OPTS:+ $OPTS} (default: realistic), seed $SEED, both devices, --validate none"
# shellcheck disable=SC2086 # GEN_OPTS holds several words
"$JS" generate -n "$N" --seed "$SEED" $OPTS --validate none --format jsonl.zst -o "$T/ds" --force --quiet
m=$T/ds/manifest.json
jq -r '"codegen: \(.counts.records) records, \(.counts.rejects) rejects (\(100 * .counts.records / .counts.kernels | . * 1000 | round / 1000)% accepted), dedup dropped \(.counts.dedup.exact) exact + \(.counts.dedup.structural) structural"' "$m"
if [ -s "$T/ds/rejects.jsonl" ]; then
	echo "most frequent reject reasons:"
	jq -r '.reason | split("\n")[0] | .[0:120]' "$T/ds/rejects.jsonl" | sort | uniq -c | sort -rn | head -3
fi
"$JS" stats "$T/ds" > "$T/stats.txt"
sed -n '/^catalog coverage/,/^$/p' "$T/stats.txt"
grep '^uniqueness' "$T/stats.txt"
start=$(date +%s.%N)
# shellcheck disable=SC2086
"$JS" sample -n 100000 $OPTS > /dev/null
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "sample -n 100000: %.2f s, %.0f kernels/s\n", e - s, 100000 / (e - s) }'
