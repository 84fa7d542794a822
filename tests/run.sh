#!/usr/bin/env bash
# run: the test driver behind `make check`. Runs every cmocka unit test
# binary, the golden CLI cases (tests/cli), then every end-to-end script in
# tests/e2e/ against the given jitsynth binary, and closes with
# "tests (FLAVOUR): N passed, N failed, N skipped". A script whose header has
# a line "# flavours: release" runs in that build only: the sanitizer build
# runs what exercises C code (the unit tests, the fake-worker machinery, the
# readers and writers), not the tests whose time goes to Warp's Python or to
# another tool (valgrind, Chromium's rendering aside, datasets). A script
# whose header has "# load: light" mostly waits (on Slurm's polling) and
# runs beside the others without taking a core.
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
# One PCH cache between runs (src/validate/pchcache.h) for the whole suite,
# both flavours, never the user's own: most tests validate a few kernels,
# and building builtin.h's PCH was most of their compiler time.
export JITSYNTH_CACHE_DIR=$PWD/tests/tmp/pch-cache
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

# Tests run TEST_JOBS at a time (default: one per core; one more than the
# cores measured the same, 478 against 484 s), each in its own TMPDIR and
# WORK; a line is printed as each ends. The slowest start first (as measured in a release run) so
# that the last to end is not one of them. E2E_ONLY="A B" runs only the
# end-to-end scripts whose names contain A or B (and no CLI cases).
jobs=${TEST_JOBS:-$(nproc)}
slow_first=(test_interrupt_nvrtc test_hostile_modules test_slurm test_resume test_gen_safety test_determinism
	test_generate test_small_fixes test_worker_memory test_gen_profiles test_worker_faults test_eval
	test_hostile_datasets test_valgrind test_pch_cache test_gen_compilers test_fault_compiler)

selected() { # name
	[ -z "${E2E_ONLY:-}" ] && return 0
	local w
	for w in $E2E_ONLY; do [[ "$1" == *"$w"* ]] && return 0; done
	return 1
}

# One test in the background: kind name command...; leaves "rc seconds" in
# $TEST_TMP/$name.status.
start_test() {
	local kind=$1 name=$2
	shift 2
	(
		start=$SECONDS rc=0
		export TMPDIR=$TEST_TMP/$name.tmp
		mkdir -p "$TMPDIR"
		WORK="$TEST_TMP/$name" "$@" >"$TEST_TMP/$name.log" 2>&1 &&
			no_scratch_left "$TMPDIR" "$TEST_TMP/$name.log" || rc=1
		echo "$rc $((SECONDS - start))" >"$TEST_TMP/$name.status"
	) &
	kinds[$!]=$kind names[$!]=$name
}

# Reports the test of one ended background job.
end_test() { # pid
	local kind=${kinds[$1]} name=${names[$1]} rc secs
	read -r rc secs <"$TEST_TMP/$name.status" 2>/dev/null || rc=1 secs=?
	if [ "$rc" = 0 ]; then
		case $kind in
		unit) echo "ok   unit/$name ($(grep -c '\[       OK \]' "$TEST_TMP/$name.log") cases)" ;;
		cli) echo "ok   cli ($(grep -c '^ok' "$TEST_TMP/$name.log") cases)" ;;
		e2e) echo "ok   e2e/$name ($secs s)" ;;
		esac
		[ "$kind" = e2e ] && [ -z "${KEEP_WORK:-}" ] && rm -rf "${TEST_TMP:?}/$name" "$TEST_TMP/$name.tmp"
	else
		echo "FAIL $kind/$name"; sed 's/^/    /' "$TEST_TMP/$name.log" | tail -40
	fi
	record "$name" "$rc"
}

declare -A kinds names
queue=()
for t in "$@"; do queue+=("unit $(basename "$t") $t"); done
e2e=() light_queue=()
for n in "${slow_first[@]}"; do [ -f "tests/e2e/$n.sh" ] && e2e+=("tests/e2e/$n.sh"); done
for t in tests/e2e/test_*.sh; do [[ " ${e2e[*]} " == *" $t "* ]] || e2e+=("$t"); done
if [ -z "${E2E_ONLY:-}" ]; then queue+=("cli cli bash tests/cli/run.sh $bin"); fi
for t in "${e2e[@]}"; do
	name=$(basename "$t" .sh)
	selected "$name" || continue
	only=$(sed -n '1,20s/^# flavours: *//p' "$t")
	if [ -n "$only" ] && [[ " $only " != *" $flavour "* ]]; then
		skipped=$((skipped + 1))
		continue
	fi
	# A test whose header says "# load: light" spends its time waiting on
	# another program (test_slurm: sbatch --wait polls every 2-32 s, ~1 s of
	# CPU in 40 s) and runs beside the others, without taking a core's slot.
	if sed -n '1,20p' "$t" | grep -q '^# load: light'; then
		light_queue+=("e2e $name bash $t")
	else
		queue+=("e2e $name bash $t")
	fi
done

# Waits for one test to end and reports it; a slot is free again unless it
# was a light one.
declare -A light
running=0 lights=0
reap_one() {
	wait -n -p done_pid
	end_test "$done_pid"
	if [ -n "${light[$done_pid]:-}" ]; then lights=$((lights - 1)); else running=$((running - 1)); fi
}
for item in "${light_queue[@]}"; do
	# shellcheck disable=SC2086
	start_test $item
	light[$!]=1 lights=$((lights + 1))
done
for item in "${queue[@]}"; do
	while ((running >= jobs)); do reap_one; done
	# shellcheck disable=SC2086
	start_test $item
	running=$((running + 1))
done
while ((running + lights > 0)); do reap_one; done

((failed)) && echo "failed: ${failures[*]}"
echo "tests ($flavour): $passed passed, $failed failed, $skipped skipped"
((failed == 0))
