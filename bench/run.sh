#!/usr/bin/env bash
# bench: `make bench`. In one run, on the same kernels:
#   1. raw Warp codegen in one plain Python process (bench/raw_codegen.py);
#   2. jitsynth generate --jobs $BENCH_JOBS on BENCH_N kernels;
#   3. jitsynth with --validate syntax and compile on BENCH_VN kernels, as a
#      share of the --validate none rate on the same kernels;
#   4. a long run (BENCH_LONG kernels of BENCH_LONG_CATEGORIES, default every
#      profile) for throughput drift and memory.
# Codegen runs (2, 4) use --validate none: raw codegen compiles nothing.
# Prints rates, their ratio, the C process's peak RSS and the workers' RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-10000}
JOBS=${BENCH_JOBS:-2}
LONG=${BENCH_LONG:-50000}
LONG_CATS=${BENCH_LONG_CATEGORIES:-all}
VN=${BENCH_VN:-2000}
SEED=${BENCH_SEED:-1}
JS=${JITSYNTH_BIN:-bin/jitsynth}
T=${BENCH_DIR:-$(mktemp -d /tmp/jitsynth-bench.XXXXXX)}
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT

echo "bench: $N kernels, both devices, --jobs $JOBS, seed $SEED, $(nproc) cores"
"$JS" sample -n "$N" --seed "$SEED" > "$T/kernels.txt"

raw=$(.venv/bin/python bench/raw_codegen.py "$T/kernels.txt")
raw_rate=$(sed 's/.*rate=//' <<<"$raw")
echo "raw Warp codegen, 1 process:   $raw"

gen() { # n jobs dir [validate [categories]] -> prints the manifest's rate
	"$JS" generate -n "$1" --seed "$SEED" --jobs "$2" -o "$3" --quiet --force --validate "${4:-none}" \
		${5:+--categories "$5"}
	jq -r '.timing.kernels_per_second' "$3/manifest.json"
}
js_rate=$(gen "$N" "$JOBS" "$T/ds")
m=$T/ds/manifest.json
printf 'jitsynth generate, %d jobs:   kernels=%d records=%d rejects=%d rate=%.2f\n' "$JOBS" "$N" \
	"$(jq .counts.records $m)" "$(jq .counts.rejects $m)" "$js_rate"
awk -v a="$js_rate" -v b="$raw_rate" -v j="$JOBS" 'BEGIN { r = a / b;
	printf "ratio jitsynth/raw: %.2fx (%.0f%% of the %d-core limit %d.00x)\n", r, 100 * r / j, j, j }'
rss() { jq -r '"C process peak RSS: \(.timing.peak_rss_kib / 1024 * 10 | round / 10) MiB (n=\(.options.n)); worker peak RSS: \(.timing.worker_peak_rss_kib / 1024 | round) MiB"' "$1"; }
rss "$m"
rm -rf "$T/ds"

if [ "$VN" -gt 0 ]; then
	echo "validation tiers: $VN kernels, --jobs $JOBS"
	none=$(gen "$VN" "$JOBS" "$T/v")
	printf '  --validate none:    %.2f kernels/s\n' "$none"
	for tier in syntax compile; do
		r=$(gen "$VN" "$JOBS" "$T/v" $tier)
		printf '  --validate %-8s %.2f kernels/s (%.0f%% of none), records=%d rejects=%d\n' "$tier:" "$r" \
			"$(awk -v a="$r" -v b="$none" 'BEGIN { print 100 * a / b }')" \
			"$(jq .counts.records $T/v/manifest.json)" "$(jq .counts.rejects $T/v/manifest.json)"
	done
	rm -rf "$T/v"
fi

if [ "$LONG" -gt 0 ]; then
	echo "long run: $LONG kernels, --jobs $JOBS, --categories $LONG_CATS"
	gen "$LONG" "$JOBS" "$T/long" none "$LONG_CATS" > /dev/null
	m=$T/long/manifest.json
	rss "$m"
	# rates over the first and the last 5000 kernels, from the manifest's timeline
	jq -r --argjson n "$LONG" '.timing.timeline as $t
		| ($t | map(select(.[0] == 5000)) | .[0]) as $a
		| ($t | map(select(.[0] == $n - 5000)) | .[0]) as $b
		| ($t | map(select(.[0] == $n)) | .[0]) as $c
		| "first 5000: \(5000 / $a[1] | . * 100 | round / 100)/s, last 5000: \(5000 / ($c[1] - $b[1]) | . * 100 | round / 100)/s, last/first \((5000 / ($c[1] - $b[1])) / (5000 / $a[1]) | . * 1000 | round / 1000)",
		  "worker RSS at 5000: \($a[2] / 1024 | floor) MiB, at \($n): \($c[2] / 1024 | floor) MiB"' "$m"
fi
