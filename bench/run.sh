#!/usr/bin/env bash
# bench: `make bench`. In one run, on the same kernels of the seed's 11
# categories (--categories seed: `jitsynth sample`
# and `generate` with one seed make the same ones):
#   1. raw Warp codegen in one plain Python process, uncached
#      (bench/raw_codegen.py), and `generate --validate none` on BENCH_N
#      kernels with the worker's codegen cache and without it
#      (JITSYNTH_WORKER_CACHE=0): rates per job, against raw codegen;
#   2. on BENCH_VN kernels: --validate none and syntax, with and without the
#      cache, syntax as a share of none for each; compile on BENCH_CN;
#   3. the seed report's design rebuilt (BENCH_SEED_DESIGN, default
#      ../shared/bench/seed_design.py: one process, ten kernels per module,
#      one device per run, so it runs once for cpu and once for cuda) on the
#      same BENCH_SEED_N kernels, against generate --validate none;
#   4. a long run (BENCH_LONG kernels of BENCH_LONG_CATEGORIES, default every
#      profile) for throughput drift and memory.
# Rates are kernels (both devices' pairs) per second, from the manifests;
# "cpu ms/kernel" is the CPU time of the whole run (jitsynth, its workers
# and compilers) per kernel, which a loaded machine disturbs less than the
# rates. The machine's load is printed at the start and at the end: on a
# shared machine compare ratios within one run, not absolute rates.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-10000}
JOBS=${BENCH_JOBS:-2}
LONG=${BENCH_LONG:-50000}
LONG_CATS=${BENCH_LONG_CATEGORIES:-all}
VN=${BENCH_VN:-2000}
CN=${BENCH_CN:-$VN} # --validate compile kernels (0: skip it)
SN=${BENCH_SEED_N:-1000}
SEED=${BENCH_SEED:-1}
SEED_DESIGN=${BENCH_SEED_DESIGN:-../shared/bench/seed_design.py}
JS=${JITSYNTH_BIN:-bin/jitsynth}
PY=.venv/bin/python
T=${BENCH_DIR:-$(mktemp -d /tmp/jitsynth-bench.XXXXXX)}
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "bench: $N kernels, both devices, --jobs $JOBS, seed $SEED, $(nproc) cores, load $(load)"
"$JS" sample -n "$N" --seed "$SEED" --categories seed > "$T/kernels.txt"

raw=$($PY bench/raw_codegen.py "$T/kernels.txt")
raw_rate=$(sed 's/.*rate=//' <<<"$raw")
raw_cpu=$(sed 's/.*cpu_ms=\([^ ]*\).*/\1/' <<<"$raw")
echo "raw Warp codegen, 1 process:     $raw"

# gen N DIR [VALIDATE [CATEGORIES]]: one generate run (JITSYNTH_WORKER_CACHE
# from the caller's environment); sets $rate (kernels/s) and $cpu_ms (CPU
# ms per kernel of the run and every process it waited for)
gen() {
	local c0 c1
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	"$JS" generate -n "$1" --seed "$SEED" --categories seed --jobs "$JOBS" -o "$2" --quiet --force --validate "${3:-none}" \
		${4:+--categories "$4"}
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	rate=$(jq -r '.timing.kernels_per_second' "$2/manifest.json")
	cpu_ms=$(awk -v a="$c0" -v b="$c1" -v n="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", 1000 * (b - a) / hz / n }')
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }
x() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

gen "$N" "$T/ds"
m=$T/ds/manifest.json
cached=$rate cached_cpu=$cpu_ms
printf 'generate --validate none, cache:    rate=%.2f per job=%.2f (%s raw) cpu ms/kernel=%s records=%d rejects=%d\n' \
	"$rate" "$(awk -v a="$rate" -v j="$JOBS" 'BEGIN { print a / j }')" \
	"$(x "$(awk -v a="$rate" -v j="$JOBS" 'BEGIN { print a / j }')" "$raw_rate")" "$cpu_ms" \
	"$(jq .counts.records $m)" "$(jq .counts.rejects $m)"
rss() { jq -r '"C process peak RSS: \(.timing.peak_rss_kib / 1024 * 10 | round / 10) MiB (n=\(.options.n)); worker peak RSS: \(.timing.worker_peak_rss_kib / 1024 | round) MiB"' "$1"; }
rss "$m"
mv "$T/ds" "$T/ds-cached"
JITSYNTH_WORKER_CACHE=0 gen "$N" "$T/ds"
printf 'generate --validate none, no cache: rate=%.2f per job=%.2f (%s raw) cpu ms/kernel=%s\n' \
	"$rate" "$(awk -v a="$rate" -v j="$JOBS" 'BEGIN { print a / j }')" \
	"$(x "$(awk -v a="$rate" -v j="$JOBS" 'BEGIN { print a / j }')" "$raw_rate")" "$cpu_ms"
same=identical
for f in "$T"/ds-cached/train-* "$T/ds-cached/rejects.jsonl"; do
	cmp -s "$f" "$T/ds/$(basename "$f")" || same=DIFFERENT
done
echo "cache speed-up: $(x "$cached" "$rate") (cpu $(x "$cpu_ms" "$cached_cpu")); datasets with and without it: $same"
echo "cpu per kernel against raw codegen's $raw_cpu ms: cache $(x "$raw_cpu" "$cached_cpu"), no cache $(x "$raw_cpu" "$cpu_ms") (what a quiet machine's rate per job would show)"
rm -rf "$T/ds" "$T/ds-cached"

if [ "$VN" -gt 0 ]; then
	echo "validation tiers: $VN kernels, --jobs $JOBS, load $(load)"
	for c in 1 0; do
		label=$([ $c = 1 ] && echo "cache" || echo "no cache")
		JITSYNTH_WORKER_CACHE=$c gen "$VN" "$T/v" none
		none=$rate
		none_at[$c]=$rate
		printf '  %-8s --validate none:   %7.2f kernels/s, cpu ms/kernel %s\n' "$label" "$rate" "$cpu_ms"
		JITSYNTH_WORKER_CACHE=$c gen "$VN" "$T/v" syntax
		printf '  %-8s --validate syntax: %7.2f kernels/s (%s of none), cpu ms/kernel %s, records=%d rejects=%d, compiles %s\n' \
			"$label" "$rate" "$(pct "$rate" "$none")" "$cpu_ms" \
			"$(jq .counts.records $T/v/manifest.json)" "$(jq .counts.rejects $T/v/manifest.json)" \
			"$(jq -c '.timing.validation.compilations' $T/v/manifest.json)"
		syntax_at[$c]=$rate
	done
	# issue 15's point 2: syntax with every speed-up (the worker cache on)
	# against none without the cache, and against none with it
	echo "  syntax with the cache: $(pct "${syntax_at[1]}" "${none_at[0]}") of none without the cache (issue 15: >= 45%), $(pct "${syntax_at[1]}" "${none_at[1]}") of none with it (>= 33%)"
	if [ "$CN" -gt 0 ]; then
		gen "$CN" "$T/v" compile
		printf '  cache    --validate compile: %6.2f kernels/s on %d kernels, cpu ms/kernel %s, records=%d rejects=%d\n' \
			"$rate" "$CN" "$cpu_ms" "$(jq .counts.records $T/v/manifest.json)" "$(jq .counts.rejects $T/v/manifest.json)"
	fi
	rm -rf "$T/v"
fi

if [ "$SN" -gt 0 ]; then
	if [ ! -r "$SEED_DESIGN" ] && [ -r /work/shared/bench/seed_design.py ]; then
		SEED_DESIGN=/work/shared/bench/seed_design.py
	fi
	if [ -r "$SEED_DESIGN" ]; then
		echo "seed design: $SN kernels ($SEED_DESIGN), load $(load)"
		"$JS" sample -n "$SN" --seed "$SEED" --categories seed > "$T/seed-kernels.txt"
		secs=0
		c0=$(awk '{ print $16 + $17 }' /proc/$$/stat)
		for dev in cpu cuda; do
			s0=$(date +%s.%N)
			$PY "$SEED_DESIGN" "$SN" "$SEED" "$dev" "$T/seed-$dev" "$T/seed-kernels.txt" > "$T/seed.out"
			s1=$(date +%s.%N)
			secs=$(awk -v a="$secs" -v b="$s0" -v c="$s1" 'BEGIN { print a + c - b }')
			echo "  seed design, $dev: $(tail -1 "$T/seed.out")"
		done
		c1=$(awk '{ print $16 + $17 }' /proc/$$/stat)
		seed_cpu=$(awk -v a="$c0" -v b="$c1" -v n="$SN" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", 1000 * (b - a) / hz / n }')
		seed_rate=$(awk -v n="$SN" -v s="$secs" 'BEGIN { print n / s }')
		gen "$SN" "$T/sd" none
		printf '  seed design, both devices: %.2f kernels/s, cpu ms/kernel %s; generate --validate none --jobs %d: %.2f kernels/s, cpu ms/kernel %s\n' \
			"$seed_rate" "$seed_cpu" "$JOBS" "$rate" "$cpu_ms"
		echo "  seed design $(x "$rate" "$seed_rate") slower (cpu per kernel $(x "$seed_cpu" "$cpu_ms"))"
		rm -rf "$T/sd" "$T"/seed-cpu "$T"/seed-cuda
	else
		echo "seed design: skipped ($SEED_DESIGN not found; set BENCH_SEED_DESIGN)"
	fi
fi

if [ "$LONG" -gt 0 ]; then
	echo "long run: $LONG kernels, --jobs $JOBS, --categories $LONG_CATS"
	gen "$LONG" "$T/long" none "$LONG_CATS"
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
echo "load at the end: $(load)"
