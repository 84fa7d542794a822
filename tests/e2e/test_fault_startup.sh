# test_fault_startup: issue 6, "a worker that exits at start-up": the Warp
# worker's Python is replaced by a wrapper that fails chosen start-ups of the
# worker (exit 1 before importing anything, as a broken install would).
#   1. one start-up fails (the second worker's): restarted with back-off,
#      the run completes with exactly the reference dataset;
#   2. start-ups keep failing in the middle of a run (a worker dies on a
#      kernel, and every restart fails): the run stops with one clear
#      message instead of spinning, keeps what it finished, and --resume
#      with a working Python completes to the reference dataset.
# (Workers failing at start-up from the first one on: test_cli_errors.)
# flavours: release
source "$(dirname "$0")/lib.sh"
N=${N:-120}
OPTS="-n $N --seed 11 --shard-size 20 --jobs 2 --quiet --categories seed"
"$JS" generate --help 2>&1 | grep -q -- --validate && OPTS="$OPTS --validate none"

# the Python that has Warp: $JITSYNTH_PYTHON, else the .venv above the binary
real_py=${JITSYNTH_PYTHON:-}
if [ -z "$real_py" ]; then
	d=$(dirname "$JS")
	while [ "$d" != / ] && [ ! -x "$d/.venv/bin/python" ]; do d=$(dirname "$d"); done
	real_py=$d/.venv/bin/python
fi
[ -x "$real_py" ] || fail "no Python with Warp found (set JITSYNTH_PYTHON)"

# wrapper: numbers the worker start-ups (mkdir is atomic) and fails those
# FAIL_STARTS matches: "2" fails the 2nd, "3-" the 3rd and every later one
cat >flaky-python <<EOF
#!/usr/bin/env bash
case "\$*" in *worker.py*) ;; *) exec "$real_py" "\$@" ;; esac
mkdir -p "\$STARTS"
i=1; while ! mkdir "\$STARTS/\$i" 2>/dev/null; do i=\$((i + 1)); done
case "\$FAIL_STARTS" in
*-) [ "\$i" -ge "\${FAIL_STARTS%-}" ] && { echo "flaky-python: start-up \$i fails" >&2; exit 1; } ;;
*) [ "\$i" = "\$FAIL_STARTS" ] && { echo "flaky-python: start-up \$i fails" >&2; exit 1; } ;;
esac
exec "$real_py" "\$@"
EOF
chmod +x flaky-python

"$JS" generate --format jsonl $OPTS -o ref --python "$real_py"
check "reference run complete" test "$(jq .complete ref/manifest.json)" = true

# 1. one failed start-up
STARTS=$WORK/starts1 FAIL_STARTS=2 js generate --format jsonl $OPTS -o once --python "$WORK/flaky-python"
expect_rc 0
check "the failing start-up happened, and a third start replaced it" test -d starts1/3
check "one failed start-up: identical to the reference" same_as_ref once

# 2. every start-up after the first two fails; kernel 50 kills its worker
start=$SECONDS
STARTS=$WORK/starts2 FAIL_STARTS=3- JITSYNTH_TEST_CRASH=50 js generate --format jsonl $OPTS -o broken --python "$WORK/flaky-python"
expect_rc 1
expect_err "Warp workers keep failing at start-up"
check "it gave up within 30 s instead of spinning" test $((SECONDS - start)) -lt 30
check "a bounded number of start-up attempts" test "$(ls starts2 | wc -l)" -le 8
check "one line says why (and one how to resume)" test "$(grep -c . err.txt)" -le 2
check "the finished shards are kept" test "$(ls broken | grep -c '^train-')" -ge 1
check "the manifest says incomplete" test "$(jq .complete broken/manifest.json)" = false
js generate --resume -o broken --python "$real_py" --quiet
expect_rc 0
check "resumed with a working Python: identical to the reference" same_as_ref broken
