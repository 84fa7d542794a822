#!/usr/bin/env bash
# c_side: the C process of `jitsynth generate --validate none` alone, with
# Warp's answers replayed at memory speed (bench/replay_worker.c), so that
# the run is bound by the C side: extraction, record JSON, metrics, dedup,
# zstd, SHA-256, journal. Once, N kernels are made by the real worker
# (plain JSONL, no dedup) and packed; then, for each job count in
# C_SIDE_JOBS (default "1 2"), one default-format run of the same kernels
# against the replaying workers prints:
#   kernels/s   the manifest's rate
#   cpu ms/k    CPU of the jitsynth process (all its threads, not the
#               workers) per kernel: timing.cpu_seconds
#   main ms/k   CPU of its main thread (the ordered part) per kernel:
#               timing.main_thread_cpu_seconds
#   main busy   main-thread CPU over the run's wall time: at 100% the main
#               thread is the limit
# A binary from before the builder threads (no cpu fields in its manifest)
# is measured with `perf stat --no-inherit` (its main thread is then its
# whole C side). C_SIDE_PROFILE=1 adds a perf profile of the last run: the
# C process's CPU by library and its top functions.
#   C_SIDE_N (default 2000)   BENCH_SEED (1)   JITSYNTH_BIN (bin/jitsynth)
#   BENCH_DIR: where the recording and pack are kept (and reused)
#   C_SIDE_ARGS: more generate options for the measured runs (e.g. --format jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
JS=${JITSYNTH_BIN:-bin/jitsynth}
PY=${PYTHON:-.venv/bin/python}
N=${C_SIDE_N:-2000}
SEED=${BENCH_SEED:-1}
REPLAY=build/${FLAVOUR:-release}/bench/replay_worker
make --no-print-directory -s "$REPLAY" >/dev/null
T=${BENCH_DIR:-$(mktemp -d /tmp/jitsynth-cside.XXXXXX)}
mkdir -p "$T"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$T"' EXIT
PACK=$T/pack-$N-$SEED
if [ ! -s "$PACK" ]; then
	echo "c_side: recording $N kernels (seed $SEED) with the real worker..."
	"$JS" generate -n "$N" --seed "$SEED" --categories seed --validate none --no-dedup --format jsonl --quiet --force \
		--python "$PY" -o "$T/rec"
	"$REPLAY" --pack "$T/rec" "$PACK" 2>/dev/null
	rm -rf "$T/rec"
fi
export REPLAY_PACK=$PACK

echo "c_side: $N kernels replayed, seed $SEED, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $JS ${C_SIDE_ARGS:-}"
printf '%5s %10s %9s %9s %9s\n' jobs kernels/s "cpu ms/k" "main ms/k" "main busy"
for J in ${C_SIDE_JOBS:-1 2}; do
	# shellcheck disable=SC2086
	args=(generate -n "$N" --seed "$SEED" --categories seed --jobs "$J" --validate none --quiet --force --python "$REPLAY" -o "$T/ds" ${C_SIDE_ARGS:-})
	perf_main=""
	if command -v perf >/dev/null; then
		perf_main=$(perf stat -x, -e task-clock --no-inherit -- "$JS" "${args[@]}" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 / 1000 }')
	else
		"$JS" "${args[@]}"
	fi
	jq -r --arg pm "$perf_main" --argjson n "$N" --argjson j "$J" '.timing |
		(if .main_thread_cpu_seconds then .main_thread_cpu_seconds else ($pm | tonumber) end) as $main |
		(if .cpu_seconds then .cpu_seconds else $main end) as $cpu |
		"\($j) \(.kernels_per_second) \(1000 * $cpu / $n) \(1000 * $main / $n) \(100 * $main / .seconds)"' \
		"$T/ds/manifest.json" | awk '{ printf "%5d %10.1f %9.3f %9.3f %8.0f%%\n", $1, $2, $3, $4, $5 }'
done
if [ -n "${C_SIDE_PROFILE:-}" ]; then
	perf record -q -o "$T/perf.data" -- "$JS" "${args[@]}" 2>/dev/null
	echo "c_side: the jitsynth process's CPU by library, then by function (perf, last job count)"
	perf report -i "$T/perf.data" --comm jitsynth --no-children --sort dso -g none 2>/dev/null | grep '%' | head -8
	perf report -i "$T/perf.data" --comm jitsynth --no-children --sort dso,symbol -g none 2>/dev/null | grep '%' | head -20
fi
rm -rf "$T/ds"
