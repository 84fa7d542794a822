#!/usr/bin/env bash
# run: the test driver behind `make check`. Runs every cmocka unit test
# binary, the golden CLI cases (tests/cli), then every end-to-end script in
# tests/e2e/ against the given jitsynth binary, and closes with
# "tests (FLAVOUR): N passed, N failed, N skipped". A script whose header has
# a line "# flavours: release" runs in that build only: the sanitizer build
# runs what exercises C code (the unit tests, the fake-worker machinery, the
# readers and writers), not the tests whose time goes to Warp's Python or to
# another tool (valgrind, Chromium's rendering aside, datasets).
# Each test gets its own TMPDIR, and fails if it leaves a validator temp dir
# there (jitsynth-chk-*: ~250 MiB each, so a leak fills disks). A passing
# test's files are removed (KEEP_WORK=1 keeps them); a failing test's stay.
#   usage: tests/run.sh FLAVOUR BIN UNIT_TEST_BINARY...
set -u
flavour=$1 bin=$2
shift 2
cd "$(dirname "$0")/.."
passed=0 failed=0 skipped=0 failures=()
export JITSYNTH_BIN=$PWD/$bin FLAVOUR=$flavour
export TEST_TMP=${TEST_TMP:-$PWD/tests/tmp/$flavour}
rm -rf "$TEST_TMP" && mkdir -p "$TEST_TMP"
# A full disk makes most tests fail in ways that hide the cause; say it once.
# The suite peaks near 500 MiB (a validating run's precompiled headers, ~250
# MiB, plus its data), so ask for a margin over that.
free_mib=$(df -Pm "$TEST_TMP" | awk 'NR == 2 { print $4 }')
if [ "${free_mib:-0}" -lt 768 ]; then
	echo "tests ($flavour): only ${free_mib} MiB free in $TEST_TMP; the tests need about 768 MiB: free some space"
	exit 1
fi

record() { # name status
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}
# Fails (status 1, with a line in the log) when dir $1 holds a validator temp dir.
no_scratch_left() { # tmpdir log
	local left
	left=$(cd "$1" && ls -d jitsynth-chk-* 2>/dev/null)
	[ -z "$left" ] && return 0
	echo "FAIL: validator temp dirs left in TMPDIR: $left" >>"$2"
	return 1
}

export TMPDIR=$TEST_TMP/unit.tmp
mkdir -p "$TMPDIR"
for t in "$@"; do
	name=$(basename "$t")
	if "$t" >"$TEST_TMP/$name.log" 2>&1 && no_scratch_left "$TMPDIR" "$TEST_TMP/$name.log"; then
		echo "ok   unit/$name ($(grep -c '\[       OK \]' "$TEST_TMP/$name.log") cases)"
		record "$name" 0
	else
		echo "FAIL unit/$name"; sed 's/^/    /' "$TEST_TMP/$name.log" | tail -30
		record "$name" 1
	fi
done

if [ -z "${E2E_ONLY:-}" ]; then
	if bash tests/cli/run.sh "$bin" >"$TEST_TMP/cli.log" 2>&1; then
		echo "ok   cli ($(grep -c '^ok' "$TEST_TMP/cli.log") cases)"
		record cli 0
	else
		echo "FAIL cli"; sed 's/^/    /' "$TEST_TMP/cli.log" | tail -40
		record cli 1
	fi
fi

for t in tests/e2e/test_*.sh; do
	name=$(basename "$t" .sh)
	[ -n "${E2E_ONLY:-}" ] && [[ "$name" != *"$E2E_ONLY"* ]] && continue
	only=$(sed -n '1,20s/^# flavours: *//p' "$t")
	if [ -n "$only" ] && [[ " $only " != *" $flavour "* ]]; then
		skipped=$((skipped + 1))
		continue
	fi
	start=$SECONDS
	export TMPDIR=$TEST_TMP/$name.tmp
	mkdir -p "$TMPDIR"
	if WORK="$TEST_TMP/$name" bash "$t" >"$TEST_TMP/$name.log" 2>&1 &&
		no_scratch_left "$TMPDIR" "$TEST_TMP/$name.log"; then
		echo "ok   e2e/$name ($((SECONDS - start)) s)"
		record "$name" 0
		[ -n "${KEEP_WORK:-}" ] || rm -rf "$TEST_TMP/$name" "$TMPDIR"
	else
		echo "FAIL e2e/$name"; sed 's/^/    /' "$TEST_TMP/$name.log" | tail -30
		record "$name" 1
	fi
done

((failed)) && echo "failed: ${failures[*]}"
echo "tests ($flavour): $passed passed, $failed failed, $skipped skipped"
((failed == 0))
