#!/usr/bin/env bash
# run: the test driver behind `make check`. Runs every cmocka unit test
# binary, then every end-to-end script in tests/e2e/ against the given
# jitsynth binary, and closes with "tests (FLAVOUR): N passed, N failed".
#   usage: tests/run.sh FLAVOUR BIN UNIT_TEST_BINARY...
set -u
flavour=$1 bin=$2
shift 2
cd "$(dirname "$0")/.."
passed=0 failed=0 failures=()
export JITSYNTH_BIN=$PWD/$bin FLAVOUR=$flavour
export TEST_TMP=${TEST_TMP:-$PWD/tests/tmp/$flavour}
rm -rf "$TEST_TMP" && mkdir -p "$TEST_TMP"

record() { # name status
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}

for t in "$@"; do
	name=$(basename "$t")
	if "$t" >"$TEST_TMP/$name.log" 2>&1; then
		echo "ok   unit/$name ($(grep -c '\[       OK \]' "$TEST_TMP/$name.log") cases)"
		record "$name" 0
	else
		echo "FAIL unit/$name"; sed 's/^/    /' "$TEST_TMP/$name.log" | tail -30
		record "$name" 1
	fi
done

for t in tests/e2e/test_*.sh; do
	name=$(basename "$t" .sh)
	[ -n "${E2E_ONLY:-}" ] && [[ "$name" != *"$E2E_ONLY"* ]] && continue
	start=$SECONDS
	if WORK="$TEST_TMP/$name" bash "$t" >"$TEST_TMP/$name.log" 2>&1; then
		echo "ok   e2e/$name ($((SECONDS - start)) s)"
		record "$name" 0
	else
		echo "FAIL e2e/$name"; sed 's/^/    /' "$TEST_TMP/$name.log" | tail -30
		record "$name" 1
	fi
done

((failed)) && echo "failed: ${failures[*]}"
echo "tests ($flavour): $passed passed, $failed failed"
((failed == 0))
