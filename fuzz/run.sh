#!/usr/bin/env bash
# run: every libFuzzer target for FUZZ_SECONDS, as many at once as there are
# cores. Each target starts from its committed corpus (seeds and regression
# inputs, fuzz/corpus/NAME) and writes new inputs into a scratch corpus under
# build/. A failing target's log tail is printed and the run fails.
#   usage: fuzz/run.sh SECONDS TARGET...
set -u
cd "$(dirname "$0")/.."
secs=$1
shift
one() { # target
	local t=$1 name
	name=$(basename "$t")
	mkdir -p "build/fuzz-corpus/$name" "fuzz/corpus/$name"
	if "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		"build/fuzz-corpus/$name" "fuzz/corpus/$name" 2>"build/fuzz-$name.log"; then
		echo "fuzz: $name for $secs s: $(grep -E "stat::number_of_executed_units|Done" "build/fuzz-$name.log" | tr '\n' ' ')"
	else
		echo "fuzz: $name FAILED"; tail -40 "build/fuzz-$name.log"
		return 1
	fi
}
export -f one
export secs
printf '%s\n' "$@" | xargs -P "$(nproc)" -I{} bash -c 'one {}'
