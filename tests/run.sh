#!/usr/bin/env bash
# run: the test driver behind `make check` and `make test`. Runs every
# cmocka unit test binary, the golden CLI cases (tests/cli), then every
# end-to-end script in tests/e2e/ against the given jitsynth binary, and
# closes with "tests (FLAVOUR): N passed, N failed, N skipped". A script
# whose header has a line "# flavours: release" runs in that build only: the
# sanitizer build runs what exercises C code (the unit tests, the
# fake-worker machinery, the readers and writers), not the tests whose time
# goes to Warp's Python or to another tool (valgrind, Chromium's rendering
# aside, datasets). A script whose header has "# load: light" mostly waits
# (on Slurm's polling) and runs beside the others without taking a core.
# Each test gets its own TMPDIR, and fails if it leaves a validator temp dir
# there (jitsynth-chk-*: ~250 MiB each, so a leak fills disks). A passing
# test's files are removed (KEEP_WORK=1 keeps them); a failing test's stay.
#
# Several flavours, and libFuzzer targets, can share one queue (`make
# test`): then no core idles while one flavour's last test ends before the
# next flavour's start, and each flavour still gets its own summary line.
#   usage: tests/run.sh FLAVOUR BIN UNIT_TEST_BINARY... [-- FLAVOUR BIN UNIT...]...
#                       [-- fuzz SECONDS TARGET...]
set -u
cd "$(dirname "$0")/.."

# The groups: flavours in order, each with its binary and unit tests; the
# fuzz group (fuzz/run.sh, one target per queue item) with its seconds.
flavours=() fuzz_targets=() fuzz_secs=10
declare -A bin_of units_of tmp_of passed failed skipped failures cpu_of
while (($#)); do
	fl=$1
	shift
	if [ "$fl" = fuzz ]; then
		fuzz_secs=$1
		shift
		while (($#)) && [ "$1" != -- ]; do fuzz_targets+=("$1"); shift; done
	else
		bin_of[$fl]=$PWD/$1 units_of[$fl]=
		shift
		while (($#)) && [ "$1" != -- ]; do units_of[$fl]+=" $1"; shift; done
		flavours+=("$fl")
	fi
	(($#)) && shift # the --
done
groups=("${flavours[@]}")
((${#fuzz_targets[@]})) && groups+=(fuzz)
for g in "${groups[@]}"; do
	# TEST_TMP names the directory of a run of one flavour (`make soak`)
	if [ ${#groups[@]} = 1 ] && [ -n "${TEST_TMP:-}" ]; then tmp_of[$g]=$TEST_TMP; else tmp_of[$g]=$PWD/tests/tmp/$g; fi
	passed[$g]=0 failed[$g]=0 skipped[$g]=0 failures[$g]=
	rm -rf "${tmp_of[$g]}" && mkdir -p "${tmp_of[$g]}"
done
# One PCH cache between runs (src/validate/pchcache.h) for the whole suite,
# both flavours, never the user's own: most tests validate a few kernels,
# and building builtin.h's PCH was most of their compiler time.
export JITSYNTH_CACHE_DIR=$PWD/tests/tmp/pch-cache
# A full disk makes most tests fail in ways that hide the cause; say it once.
# The suite peaks near 500 MiB (a validating run's precompiled headers, ~250
# MiB, plus its data), so ask for a margin over that.
free_mib=$(df -Pm "${tmp_of[${groups[0]}]}" | awk 'NR == 2 { print $4 }')
if [ "${free_mib:-0}" -lt 768 ]; then
	echo "tests (${groups[*]}): only ${free_mib} MiB free in $PWD/tests/tmp; the tests need about 768 MiB: free some space"
	exit 1
fi

record() { # group name status cpu-seconds
	[[ "${4:-}" =~ ^[0-9]+$ ]] && cpu_of[$1]=$((${cpu_of[$1]:-0} + $4))
	if [ "$3" = 0 ]; then
		passed[$1]=$((passed[$1] + 1))
	else
		failed[$1]=$((failed[$1] + 1)) failures[$1]+=" $2"
	fi
}
# Fails (status 1, with a line in the log) when dir $1 holds a validator temp dir.
no_scratch_left() { # tmpdir log
	local left
	left=$(cd "$1" && ls -d jitsynth-chk-* 2>/dev/null)
	[ -z "$left" ] && return 0
	echo "FAIL: validator temp dirs left in TMPDIR: $left" >>"$2"
	return 1
}

# Fuzz targets run first, one per core and nothing beside them: libFuzzer
# runs each for SECONDS of wall time, so a target that shared its core
# would fuzz less (a third to a half of the executions, measured). Then the
# tests run TEST_JOBS at a time (default: one more than the cores: many
# wait on a timeout, a signal's moment or a daemon), each in its own
# TMPDIR and WORK; a line is printed as each ends. The slowest start first
# (as measured in a `make test` run, both flavours) so that the last to end
# is not one of them. E2E_ONLY="A B" runs only the end-to-end scripts whose
# names contain A or B (and no CLI cases).
cores=$(nproc)
jobs=${TEST_JOBS:-$((cores + 1))}
slow_first=(test_gen_safety test_hostile_modules test_interrupt_nvrtc test_limits test_resume test_generate
	test_gen_profiles test_worker_faults test_determinism test_hostile_datasets test_small_fixes
	test_worker_memory test_exec_run test_eval test_pch_cache test_valgrind test_ingest test_machinery
	test_validate_cmd test_gen_compilers)

selected() { # name
	[ -z "${E2E_ONLY:-}" ] && return 0
	local w
	for w in $E2E_ONLY; do [[ "$1" == *"$w"* ]] && return 0; done
	return 1
}

# A test's files in its group's directory: NAME.log, NAME.status ("rc
# seconds"), NAME (its WORK) and NAME.tmp (its TMPDIR); a unit test's are
# unit-NAME.* (test_verify is a unit test and an end-to-end script).
file_of() { if [ "$1" = unit ]; then echo "unit-$2"; else echo "$2"; fi; }
# One test in the background: "kind group name command...".
declare -A kinds names group_of light
start_test() {
	local kind=$1 g=$2 name=$3
	shift 3
	local f=${tmp_of[$g]}/$(file_of "$kind" "$name")
	(
		start=$SECONDS rc=0
		export FLAVOUR=$g JITSYNTH_BIN=${bin_of[$g]:-} TEST_TMP=${tmp_of[$g]}
		export TMPDIR=$f.tmp
		mkdir -p "$TMPDIR"
		# its CPU (user + system, its processes and theirs) beside its
		# wall time: on a shared machine the wall time says little
		WORK="$f" /usr/bin/time -f "%U %S" -o "$f.cpu" "$@" >"$f.log" 2>&1 &&
			no_scratch_left "$TMPDIR" "$f.log" || rc=1
		cpu=$(tail -n 1 "$f.cpu" 2>/dev/null | awk 'NF == 2 { printf "%.0f", $1 + $2 }')
		echo "$rc $((SECONDS - start)) ${cpu:-?}" >"$f.status"
	) &
	kinds[$!]=$kind group_of[$!]=$g names[$!]=$name
}

# Reports the test of one ended background job.
end_test() { # pid
	local kind=${kinds[$1]} g=${group_of[$1]} name=${names[$1]} rc secs cpu what=
	local f=${tmp_of[$g]}/$(file_of "$kind" "$name")
	[ ${#groups[@]} -gt 1 ] && what="$g "
	read -r rc secs cpu <"$f.status" 2>/dev/null || rc=1 secs=? cpu=?
	if [ "$rc" = 0 ]; then
		case $kind in
		unit) echo "ok   ${what}unit/$name ($(grep -c '\[       OK \]' "$f.log") cases)" ;;
		cli) echo "ok   ${what}cli ($(grep -c '^ok' "$f.log") cases)" ;;
		e2e) echo "ok   ${what}e2e/$name ($secs s, $cpu s of CPU)" ;;
		fuzz) cat "$f.log" ;;
		esac
		[ "$kind" = e2e ] && [ -z "${KEEP_WORK:-}" ] && rm -rf "${f:?}" "$f.tmp"
	else
		echo "FAIL ${what}$kind/$name"; sed 's/^/    /' "$f.log" | tail -40
	fi
	record "$g" "$name" "$rc" "$cpu"
}

# The queues: the fuzz targets; light tests aside; then, slowest first, each
# slow test of each flavour, the unit tests, the CLI cases, the other
# end-to-end scripts.
declare -A slow_rank
for i in "${!slow_first[@]}"; do slow_rank[${slow_first[$i]}]=$i; done
slow=() rest=() light_queue=()
add() { # flavour-number item (its name is the third word)
	local w=($2)
	if [ -n "${slow_rank[${w[2]}]:-}" ]; then
		slow[$((slow_rank[${w[2]}] * ${#flavours[@]} + $1))]=$2
	else
		rest+=("$2")
	fi
}
for f in "${!flavours[@]}"; do
	g=${flavours[$f]}
	for t in ${units_of[$g]}; do add "$f" "unit $g $(basename "$t") $t"; done
done
for f in "${!flavours[@]}"; do
	g=${flavours[$f]}
	if [ -z "${E2E_ONLY:-}" ]; then rest+=("cli $g cli bash tests/cli/run.sh ${bin_of[$g]}"); fi
	for t in tests/e2e/test_*.sh; do
		name=$(basename "$t" .sh)
		selected "$name" || continue
		only=$(sed -n '1,20s/^# flavours: *//p' "$t")
		if [ -n "$only" ] && [[ " $only " != *" $g "* ]]; then
			skipped[$g]=$((skipped[$g] + 1))
			continue
		fi
		if sed -n '1,20p' "$t" | grep -q '^# load: light'; then
			light_queue+=("e2e $g $name bash $t")
		else
			add "$f" "e2e $g $name bash $t"
		fi
	done
done
fuzz_queue=()
for t in "${fuzz_targets[@]}"; do fuzz_queue+=("fuzz fuzz $(basename "$t") bash fuzz/run.sh $fuzz_secs $t"); done
queue=("${slow[@]}" "${rest[@]}")
# the unit tests, slowest first: one process at a time each (a compiler at
# most), so they can share the machine with the last fuzz targets
unit_queue=()
for item in "${queue[@]}"; do [ "${item%% *}" = unit ] && unit_queue+=("$item"); done

# Waits for one test to end and reports it; a slot is free again unless it
# was a light one.
running=0 lights=0 fuzzing=0
reap_one() {
	wait -n -p done_pid
	end_test "$done_pid"
	[ "${kinds[$done_pid]}" = fuzz ] && fuzzing=$((fuzzing - 1))
	if [ -n "${light[$done_pid]:-}" ]; then lights=$((lights - 1)); else running=$((running - 1)); fi
}
for item in "${fuzz_queue[@]}"; do
	while ((running >= cores)); do reap_one; done
	# shellcheck disable=SC2086
	start_test $item
	running=$((running + 1)) fuzzing=$((fuzzing + 1))
done
# A core the last fuzz targets leave runs unit tests rather than idle; the
# rest (several processes each) waits until no fuzzer is left to slow down.
u=0
while ((fuzzing > 0)); do
	if ((running < cores && u < ${#unit_queue[@]})); then
		# shellcheck disable=SC2086
		start_test ${unit_queue[u]}
		u=$((u + 1)) running=$((running + 1))
	else
		reap_one
	fi
done
declare -A started_early=()
for item in "${unit_queue[@]:0:u}"; do started_early[$item]=1; done
rest_queue=()
for item in "${queue[@]}"; do [ -n "${started_early[$item]:-}" ] || rest_queue+=("$item"); done
queue=("${rest_queue[@]}")
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

bad=0
for g in "${groups[@]}"; do
	((failed[$g])) && echo "failed ($g):${failures[$g]}" && bad=1
	if [ "$g" = fuzz ]; then
		echo "fuzz: ${passed[$g]} targets passed, ${failed[$g]} failed, $fuzz_secs s each"
	else
		echo "tests ($g): ${passed[$g]} passed, ${failed[$g]} failed, ${skipped[$g]} skipped, ${cpu_of[$g]:-0} s of CPU"
	fi
done
((bad == 0))
