#!/usr/bin/env bash
# run_tier: issue 11's bench. On the same RT_N (default 200) kernels of every
# profile: jitsynth's run tier (generate --validate run, CPU, RT_JOBS jobs;
# and `validate --tier run` on the stored records, the run tier alone) against
# Warp's own path (bench/warp_launch.py: import, wp.launch on the CPU, which
# builds the module with Warp's LLVM), on one core each and then on RT_JOBS
# each. Prints seconds per kernel of each and their ratio (issue acceptance
# 5 wants >= 20x), and the run tier's figures (executed, finite,
# deterministic, grad verdicts, exec field share).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${RT_N:-200}
JOBS=${RT_JOBS:-$(nproc)}
SEED=${RT_SEED:-11}
JS=${JITSYNTH_BIN:-bin/jitsynth}
T=${RT_DIR:-$(mktemp -d /tmp/jitsynth-rt.XXXXXX)}
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT

echo "run tier: $N kernels of every profile, --devices cpu, --jobs $JOBS, seed $SEED, $(nproc) cores"
for tier in compile run; do
	"$JS" generate -n "$N" --seed "$SEED" --jobs "$JOBS" --categories all --style synthetic --devices cpu --no-dedup --format jsonl \
		--validate $tier -o "$T/$tier" --quiet --force
	printf '  generate --validate %-8s %.2f kernels/s\n' "$tier:" "$(jq .timing.kernels_per_second $T/$tier/manifest.json)"
done
m=$T/run/manifest.json
jq -r '.validation.run | "  executed \(.executed), finite \(.finite), deterministic \(.deterministic); grad pass \(.grad.pass), fail \(.grad.fail), unsupported \(.grad.unsupported)"' "$m"
jq -r '.validation.run.grad.classes | to_entries[] | "    grad \(.key): \(.value.n)  e.g. \(.value.example[0:110])"' "$m"
jq -r '.validation.run.not_executed | to_entries[] | "    not executed \(.key): \(.value.n)  e.g. \(.value.example[0:110])"' "$m"
cat "$T"/run/train-*.jsonl | jq -s 'map(.exec | tostring | length) as $e | map(tostring | length) as $r
	| "  exec field: \(($e | add) / ($r | add) * 1000 | round / 10)% of the records'"'"' size"' -r

# ours: validate --tier run on the stored records, the run tier alone;
# Warp's: its own build + wp.launch, one module per kernel. Both on one core
# (validate -j 1, Warp's serial loads), then both on every core (validate
# -j JOBS, Warp's own parallel build: wp.force_load(max_workers=JOBS)).
ours() { # JOBS: seconds per kernel
	local s e
	s=$(date +%s.%N)
	"$JS" validate "$T/run" --tier run --quiet -j "$1" > "$T/validate.txt" || true
	e=$(date +%s.%N)
	grep -E '^(executed|grad|time)' "$T/validate.txt" | sed "s/^/  validate --tier run -j $1: /" >&2
	awk -v s="$s" -v e="$e" -v n="$N" 'BEGIN { printf "%.4f", (e - s) / n }'
}
warp() { # WORKERS: seconds per kernel
	local r
	r=$(.venv/bin/python bench/warp_launch.py "$T"/run/train-00000.jsonl "$N" "$1" 2>"$T/warp.err" | sed -n 's/^RESULT //p')
	echo "  Warp's own path (import + wp.launch on CPU, max_workers $1): $r" >&2
	sed 's/.*per_kernel=//' <<<"$r"
}
o1=$(ours 1)
w1=$(warp 1)
awk -v a="$o1" -v b="$w1" 'BEGIN { printf "  per kernel on one core: run tier %.4f s, Warp %.3f s: run tier %.1fx faster\n", a, b, b / a }'
if [ "$JOBS" -gt 1 ]; then
	oj=$(ours "$JOBS")
	wj=$(warp "$JOBS")
	awk -v a="$oj" -v b="$wj" -v j="$JOBS" 'BEGIN { printf "  per kernel on %d cores: run tier %.4f s, Warp %.3f s: run tier %.1fx faster\n", j, a, b, b / a }'
fi
