#!/usr/bin/env bash
# ingest_warp: `jitsynth ingest` over the Warp code shipped in the installed
# warp-lang (warp.examples, warp._src, warp.tests), the figures issue 13's
# acceptance asks for: kernels found, paired, not paired by reason, the
# module-level kernels paired per tree (the summary's per-source lines; the
# target is 90 % of examples + _src), the time of the whole run.
#   usage: bench/ingest_warp.sh [OUT]     INGEST_JOBS (default: cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-${TMPDIR:-/tmp}/jitsynth-ingest-warp}
jobs=${INGEST_JOBS:-$(nproc)}
rm -rf "$out"
start=$(date +%s.%N)
bin/jitsynth ingest warp.examples warp._src warp.tests -o "$out" -j "$jobs" --timeout 120
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" -v j="$jobs" 'BEGIN { printf "wall time: %.1f s, --jobs %d\n", b - a, j }'
jq -r '.counts.ingest.per_source | map(select(.src != "warp.tests")) |
	"examples + _src, module level: \(map(.module_level_paired) | add) of \(map(.module_level) | add) paired (\(100 * (map(.module_level_paired) | add) / (map(.module_level) | add) | . * 10 | round / 10) %)"' \
	"$out/manifest.json"
echo "records per device: $(jq -c .counts.per_device "$out/manifest.json"); with a backward: $(zstdcat -f "$out"/train-* | jq -r 'select(.ir.cpu.backward != "") | .id' | wc -l)"
