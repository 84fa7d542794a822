#!/usr/bin/env bash
# scaling: `make bench-scaling`. How jitsynth scales with cores, against the
# machine's own limit: for each job count J (SCALE_JOBS, default 1 2 4 ...
# up to the core count), on the same SCALE_PER_JOB * J kernels:
#   raw   J independent plain Python processes of Warp's own codegen
#         (bench/raw_codegen.py, uncached), each on its own 1/J of the
#         kernels, all at once: the sum of their rates is what the machine
#         gives Warp's codegen with J cores;
#   none  jitsynth generate --jobs J --validate none, and its share of raw;
#   main% how busy the C process's ordered main thread was in that run
#         (timing.main_thread_cpu_seconds over its seconds; near 100% it
#         is the limit), and C ms/k its CPU per kernel, all its threads;
#   syntax jitsynth generate --jobs J --validate syntax, and its share of none.
# Rates leave start-up out on both sides (raw_codegen times its loop; the
# manifest's rate starts at the first stored kernel). PYTHON picks the
# interpreter for both (default .venv/bin/python). SCALE_KEEP=DIR keeps
# each run's manifest there (timing: compiler CPU per device, worker RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
JS=${JITSYNTH_BIN:-bin/jitsynth}
PY=${PYTHON:-.venv/bin/python}
PER=${SCALE_PER_JOB:-400}
SEED=${BENCH_SEED:-1}
CORES=$(nproc)
if [ -n "${SCALE_JOBS:-}" ]; then
	LIST=$SCALE_JOBS
else
	LIST="" j=1
	while [ $j -lt "$CORES" ]; do LIST="$LIST $j" j=$((j * 2)); done
	LIST="$LIST $CORES"
fi
T=${BENCH_DIR:-$(mktemp -d /tmp/jitsynth-scaling.XXXXXX)}
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT

echo "scaling: $PER kernels per job, both devices, seed $SEED, $CORES cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%5s %12s %12s %7s %6s %6s %12s %7s\n' jobs raw/s none/s none% main% "C ms/k" syntax/s syn%
for J in $LIST; do
	n=$((PER * J))
	"$JS" sample -n "$n" --seed "$SEED" --categories seed >"$T/kernels.txt"
	# kernel k goes to part k mod J, whole (its "# kernel" header and body)
	awk -v J="$J" -v d="$T" '/^# kernel [0-9]+: /{ k = $3 + 0 } { print > (d "/part" (k % J) ".txt") }' "$T/kernels.txt"
	pids=()
	for p in $(seq 0 $((J - 1))); do
		"$PY" bench/raw_codegen.py "$T/part$p.txt" >"$T/raw$p.out" &
		pids+=($!)
	done
	wait "${pids[@]}"
	raw=$(cat "$T"/raw*.out | sed 's/.*rate=//' | awk '{ s += $1 } END { printf "%.2f", s }')
	rm -f "$T"/part*.txt "$T"/raw*.out
	gen() { # validate -> rate
		"$JS" generate -n "$n" --seed "$SEED" --categories seed --jobs "$J" -o "$T/ds" --quiet --force --validate "$1" --python "$PY"
		jq -r '.timing.kernels_per_second' "$T/ds/manifest.json"
	}
	none=$(gen none)
	cside=$(jq -r --argjson n "$n" '.timing | "\(100 * (.main_thread_cpu_seconds // 0) / .seconds) \(1000 * (.cpu_seconds // 0) / $n)"' "$T/ds/manifest.json")
	[ -n "${SCALE_KEEP:-}" ] && cp "$T/ds/manifest.json" "$SCALE_KEEP/manifest-none-$J.json"
	syntax=$(gen syntax)
	[ -n "${SCALE_KEEP:-}" ] && cp "$T/ds/manifest.json" "$SCALE_KEEP/manifest-syntax-$J.json"
	rm -rf "$T/ds"
	awk -v j="$J" -v r="$raw" -v n="$none" -v s="$syntax" -v c="$cside" \
		'BEGIN { split(c, cs, " "); printf "%5d %12.2f %12.2f %6.0f%% %5.0f%% %6.2f %12.2f %6.0f%%\n", j, r, n, 100 * n / r, cs[1], cs[2], s, 100 * s / n }'
done
