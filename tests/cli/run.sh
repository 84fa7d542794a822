#!/usr/bin/env bash
# run: golden CLI tests, in the manner of zstd's tests/cli-tests/. Each
# directory tests/cli/cases/NAME is one case:
#   args      jitsynth's arguments: one line of shell words (empty: none)
#   setup     optional: bash run first in the case's scratch directory
#   stdout, stderr, exit   what jitsynth must print and return, exactly
# Each case runs in a fresh scratch directory as cwd (args may name it as
# "$PWD"; where printed, its path reads $SCRATCH), with LC_ALL=C and no
# Warp: JITSYNTH_PYTHON and JITSYNTH_NVRTC point nowhere, so only cases that
# end before a worker starts (usage, help, sample, early errors) belong here.
#   usage: tests/cli/run.sh BIN [--update] [NAME...]
# --update rewrites stdout, stderr and exit of every case (or of the NAMEs)
# from BIN's current output: review the diff before committing it. A new
# case is a directory with an args file (and a setup), then --update.
set -u
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
	echo "usage: tests/cli/run.sh BIN [--update] [NAME...]" >&2
	exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
cases=$(cd "$(dirname "$0")" && pwd)/cases
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for d in "$cases"/*/; do names+=("$(basename "$d")"); done
fi

# The environment of every case: nothing of the caller's jitsynth settings.
for v in $(compgen -e | grep '^JITSYNTH_'); do unset "$v"; done
export LC_ALL=C TZ=UTC
export JITSYNTH_PYTHON=/nonexistent/cli-tests/python JITSYNTH_NVRTC=/nonexistent/cli-tests/libnvrtc.so

root=$(mktemp -d "${TMPDIR:-/tmp}/jitsynth-cli.XXXXXX")
trap 'rm -rf "$root"' EXIT
passed=0 failed=0 failures=()
fail() { # name [why]
	echo "FAIL $1${2:+ ($2)}"
	failed=$((failed + 1))
	failures+=("$1")
}

# Runs case $1 in a fresh scratch dir; leaves stdout, stderr, exit in $root/got.
run_case() {
	local c=$cases/$1 scratch=$root/$1 got=$root/got
	rm -rf "$got" && mkdir -p "$scratch" "$got"
	if [ -f "$c/setup" ] && ! (cd "$scratch" && bash -e "$c/setup") >"$got/setup.log" 2>&1; then
		echo "setup failed:" && cat "$got/setup.log"
		return 1
	fi
	# args are shell words, expanded in the scratch dir: "$PWD/x" is a path in it
	(cd "$scratch" && args=() && set -f && eval "args=($(cat "$c/args"))" && set +f &&
		TMPDIR=$scratch timeout 20 "$bin" "${args[@]}" </dev/null >"$got/stdout" 2>"$got/stderr")
	echo $? >"$got/exit"
	local re
	re=$(printf '%s' "$scratch" | sed 's/[]\/$*.^[]/\\&/g')
	sed -i "s/$re/\$SCRATCH/g" "$got/stdout" "$got/stderr"
}

for name in "${names[@]}"; do
	if [ ! -f "$cases/$name/args" ]; then
		fail "$name" "no $cases/$name/args"
		continue
	fi
	if ! out=$(run_case "$name"); then
		fail "$name" "$out"
		continue
	fi
	if ((update)); then
		cp "$root/got/stdout" "$root/got/stderr" "$root/got/exit" "$cases/$name/"
		echo "updated $name"
		continue
	fi
	d=$(for f in exit stdout stderr; do
		diff -u --label "expected $name/$f" --label "actual $name/$f" "$cases/$name/$f" "$root/got/$f" 2>&1
	done)
	if [ -z "$d" ]; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		fail "$name"
		printf '%s\n' "$d" | sed 's/^/    /'
	fi
done

((update)) && exit $((failed > 0))
((failed)) && echo "failed: ${failures[*]}"
echo "cli: $passed passed, $failed failed"
((failed == 0))
