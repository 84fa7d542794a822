#!/usr/bin/env bash
# run_tier: issue 11's bench. On the same RT_N (default 200) kernels of every
# profile: jitsynth's run tier (generate --validate run, CPU, RT_JOBS jobs;
# and `validate --tier run` on the stored records, the run tier alone) against
# Warp's own path (bench/warp_launch.py: import, wp.launch on the CPU, which
# builds the module with Warp's LLVM). Prints seconds per kernel of each and
# their ratio (issue acceptance 5 wants >= 20x), and the run tier's figures
# (executed, finite, deterministic, grad verdicts, exec field share).
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

start=$(date +%s.%N)
"$JS" validate "$T/run" --tier run --quiet > "$T/validate.txt" || true
ours=$(awk -v s="$start" -v e="$(date +%s.%N)" -v n="$N" 'BEGIN { printf "%.4f", (e - s) / n }')
grep -E '^(executed|grad|time)' "$T/validate.txt" | sed 's/^/  validate --tier run: /'
warp=$(.venv/bin/python bench/warp_launch.py "$T"/run/train-00000.jsonl "$N" 2>"$T/warp.err" | sed -n 's/^RESULT //p')
echo "  Warp's own path (import + wp.launch on CPU, 1 process): $warp"
wk=$(sed 's/.*per_kernel=//' <<<"$warp")
# both sides are one process doing one kernel (or batch) at a time
awk -v a="$ours" -v b="$wk" 'BEGIN { printf "  per kernel, one process each: run tier %.3f s, Warp %.3f s: run tier %.1fx faster\n", a, b, b / a }'
