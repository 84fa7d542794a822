#!/usr/bin/env bash
# scaleout: `make bench-scaleout`, the measured figures behind the README's
# "Scale out" plan (issue 15). On this machine, one run each:
#   1. `generate --validate syntax` of SCALE_N kernels of the seed's
#      11 categories (--categories seed) at --jobs SCALE_JOBS: kernels/s (whole run, start-up
#      included, and per job) and CPU seconds per kernel of the whole
#      process tree (what a core-hour budget needs);
#   2. bytes per record on disk: the default format (jsonl.zst, level 3)
#      and plain JSONL (the same records decompressed);
#   3. the merge: SCALE_PARTS parts of SCALE_MERGE_N kernels (made with
#      --validate none, which does not change what a record weighs), then
#      `jitsynth merge` of them: records/s, checks (verify) included, and the
#      merge's peak RSS.
# It prints the load average before and after: other work on the machine
# slows every figure, so say what it was when quoting them.
set -euo pipefail
cd "$(dirname "$0")/.."
JS=${JITSYNTH_BIN:-bin/jitsynth}
N=${SCALE_N:-1000}
JOBS=${SCALE_JOBS:-$(nproc)}
PARTS=${SCALE_PARTS:-4}
MN=${SCALE_MERGE_N:-4000}
T=$(mktemp -d "${TMPDIR:-/tmp}/jitsynth-scale.XXXXXX")
trap 'rm -rf "$T"' EXIT
echo "scaleout: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. generate, syntax-validated
/usr/bin/time -f "%e %U %S" -o "$T/time" "$JS" generate -n "$N" --seed 2026 --categories seed --jobs "$JOBS" --validate syntax -o "$T/syn" --quiet
read -r wall user sys <"$T/time"
m=$T/syn/manifest.json
jq -r --arg jobs "$JOBS" --arg wall "$wall" --arg cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" '
	"generate --validate syntax: \(.counts.kernels) kernels, \(.counts.records) records in \($wall) s wall: " +
	"\(.counts.kernels / ($wall | tonumber) * 100 | round / 100) kernels/s, " +
	"\(.counts.kernels / ($wall | tonumber) / ($jobs | tonumber) * 100 | round / 100) kernels/s per job (--jobs \($jobs)); " +
	"CPU \($cpu) s = \(($cpu | tonumber) / .counts.kernels * 1000 | round) ms per kernel"' "$m"

# 2. bytes per record
zst=$(jq '[.shards[].bytes] | add' "$m")
recs=$(jq .counts.records "$m")
plain=$(for f in "$T"/syn/train-*.jsonl.zst; do zstdcat "$f"; done | wc -c)
echo "bytes per record: $((zst / recs)) in $(jq -r .options.format "$m") (level 3, the default), $((plain / recs)) as plain jsonl ($(awk -v p="$plain" -v z="$zst" 'BEGIN { printf "%.1f", p / z }')x)"

# 3. merge of parts
for ((k = 0; k < PARTS; k++)); do
	"$JS" generate -n "$MN" --seed 2026 --categories seed --jobs "$JOBS" --validate none --part "$k/$PARTS" -o "$T/p$k" --quiet
done
/usr/bin/time -f "%e %U %S %M" -o "$T/mtime" "$JS" merge "$T"/p* -o "$T/merged" >/dev/null
read -r mwall muser msys mrss <"$T/mtime"
echo "merge of $PARTS parts: $MN kernels in $mwall s: $(awk -v n="$MN" -v w="$mwall" 'BEGIN { printf "%.0f", n / w }') kernels/s (verify, dedup, zstd included); CPU $(awk -v u="$muser" -v s="$msys" -v n="$MN" 'BEGIN { printf "%.2f ms", (u + s) * 1000 / n }') per record; peak RSS $((mrss / 1024)) MiB"
# the ordered part (the merge's own thread) against the helpers' parsing
if command -v perf >/dev/null && perf record -q -o "$T/perf.data" "$JS" merge "$T"/p* -o "$T/merged2" >/dev/null 2>&1; then
	perf report -i "$T/perf.data" --sort pid --stdio 2>/dev/null | awk -v u="$muser" -v s="$msys" -v n="$MN" '
		/%/ && $2 ~ /:jitsynth/ { split($2, a, ":"); k++; if (!tid || a[1] + 0 < tid) { tid = a[1] + 0; main = $1 + 0 } }
		END { if (k) printf "merge threads: %d; the ordered one (the main thread) %.0f%% of the CPU (~%.2f ms per record), the rest parsing on helpers\n", k, main, (u + s) * 1000 / n * main / 100 }'
fi
echo "scaleout: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
