#!/usr/bin/env bash
# validate_cost: per-kernel cost of each validation compiler -- NVRTC
# syntax-only, NVRTC to PTX, g++ -fsyntax-only, g++ -O2 object -- with and
# without batching (several modules in one translation unit) and with and
# without precompiled headers, on VC_N real Warp modules (default 300; the
# first batch of each run is a warm-up and is not counted).
#
# Modules come from a jitsynth dataset when bin/jitsynth can generate one,
# else from bench/validate_corpus.py (random kernels through Warp's own
# code generator). One worker thread, so ms/kernel is one core's cost;
# "setup" is the one-time cost (engine start, g++ PCH build, the warm-up
# batch in which NVRTC makes its automatic PCH), not in ms/kernel.
#
# env: VC_N (kernels), VC_BATCHES ("1 16 128"), VC_DIR (keep modules there),
#      VC_TIERS ("syntax compile"), VC_DEVICES ("cuda cpu").
set -euo pipefail
cd "$(dirname "$0")/.."
N=${VC_N:-300}
BATCHES=${VC_BATCHES:-"1 16 128"}
TIERS=${VC_TIERS:-"syntax compile"}
DEVICES=${VC_DEVICES:-"cuda cpu"}
T=$(mktemp -d /tmp/jitsynth-vcost.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=${VC_DIR:-$T/mods}
mkdir -p "$D"
PY=.venv/bin/python
NATIVE=$($PY -c "import warp, os; print(os.path.dirname(warp.__file__) + '/native')")

# 1. the modules
from_dataset() {
	[ -x bin/jitsynth ] || return 1
	bin/jitsynth generate -n "$N" --categories seed -o "$T/ds" --force --quiet --validate none >/dev/null 2>&1 ||
		bin/jitsynth generate -n "$N" --categories seed -o "$T/ds" --force --quiet >/dev/null 2>&1 || return 1
	local i=0 f
	while IFS= read -r -d '' f; do
		zstdcat -f "$f" | jq -c 'select(.ir.cuda.module? or .ir.cpu.module?) | [.ir.cpu.module, .ir.cuda.module]' ||
			return 1
	done < <(find "$T/ds" -name '*.jsonl*' ! -name 'rejects*' ! -name 'journal*' -print0 | sort -z) | head -n "$N" | while IFS= read -r line; do
		jq -r '.[0] // empty' <<<"$line" >"$D/k$(printf %04d $i).cpp"
		jq -r '.[1] // empty' <<<"$line" >"$D/k$(printf %04d $i).cu"
		i=$((i + 1))
	done
	[ "$(find "$D" -name '*.cu' -size +1k | wc -l)" -ge "$N" ]
}
if [ -z "$(ls "$D" 2>/dev/null)" ]; then
	if from_dataset; then src="a jitsynth dataset"; else
		rm -f "$D"/*
		$PY bench/validate_corpus.py "$N" "$D" 1
		src="bench/validate_corpus.py"
	fi
else src="$D"; fi

# 2. the driver
cc -std=c11 -D_GNU_SOURCE -O2 -Isrc -o "$T/validate_bench" bench/validate_bench.c src/common/*.c src/validate/*.c \
	-lxxhash -ldl -lpthread -lm

echo "validate_cost: $N modules from $src (minus one warm-up batch per row), 1 thread, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo "nvrtc: $(readlink -f /usr/local/cuda/lib64/libnvrtc.so.13 2>/dev/null || echo none), g++: $(g++ -dumpfullversion)"
printf '%-7s %-8s %5s %4s %10s %8s %9s %7s\n' device tier batch pch ms/kernel setup_s compiles failed
for dev in $DEVICES; do
	for tier in $TIERS; do
		for b in $BATCHES; do
			for p in nopch pch; do
				out=$("$T/validate_bench" "$NATIVE" "$D" "$dev" "$tier" "$b" "$p" 1)
				get() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$out"; }
				printf '%-7s %-8s %5s %4s %10s %8s %9s %7s\n' "$dev" "$tier" "$b" \
					"$([ "$(get pch)" = 1 ] && echo yes || echo no)" "$(get per_kernel_ms)" \
					"$(get setup_s)" "$(get compiles)" "$(get failed)"
			done
		done
	done
done
