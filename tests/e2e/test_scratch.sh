# test_scratch: the validator's temp dir (jitsynth-chk-*, ~250 MiB of
# precompiled headers) must not pile up on disk, and too little room for it
# must slow validation down, not crash it.
#   1. A run killed with SIGKILL cannot clean up; the next run removes the
#      dead run's dir, never a live run's.
#   2. In a TMPDIR too small for the precompiled headers (a 24 MiB tmpfs),
#      NVRTC would die of SIGBUS writing its PCH; jitsynth validates without
#      PCH instead, says so in one line, and writes the same dataset.
#      Skipped when mounting is not permitted here.
source "$(dirname "$0")/lib.sh"
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
OPTS="--jobs 1 --quiet --validate syntax --categories seed"

# Waits until a validator dir other than those named in $1 exists, prints it.
wait_new_dir() { # known-dirs
	local d
	for _ in $(seq 600); do
		for d in $(scratch_dirs); do
			[[ " $1 " == *" $d "* ]] || { [ -e "$TMPDIR/$d/.lock" ] && echo "$d" && return 0; }
		done
		sleep 0.1
	done
	return 1
}

"$JS" generate --format jsonl -n 2000 -o killed --seed 1 $OPTS &
victim=$!
dead=$(wait_new_dir "") || fail "the first run made no validator dir"
kill -9 $victim
wait $victim || true
check "a SIGKILLed run leaves its dir behind (the case to handle)" test -d "$TMPDIR/$dead"

"$JS" generate --format jsonl -n 4000 -o live --seed 2 $OPTS &
live_pid=$!
live=$(wait_new_dir "$dead") || fail "the second run made no validator dir"
check "starting a run removed the dead run's dir" test ! -e "$TMPDIR/$dead"

js generate --format jsonl -n 3 -o third --seed 3 $OPTS
expect_rc 0
check "a third run left the live run's dir alone" test -e "$TMPDIR/$live/.lock"
check "the live run is still running" kill -0 $live_pid
kill -INT $live_pid
wait $live_pid || true
check "no validator dir left once every run has ended" test -z "$(scratch_dirs)"

# 2. too little room for the precompiled headers
js generate --format jsonl -n 24 -o roomy --seed 4 $OPTS
expect_rc 0
mkdir -p small
if ! mount -t tmpfs -o size=24m tmpfs small 2>/dev/null; then
	echo "skip: cannot mount a tmpfs here"
	exit 0
fi
trap 'umount "$WORK/small" 2>/dev/null || true' EXIT
TMPDIR=$WORK/small js generate --format jsonl -n 24 -o cramped --seed 4 $OPTS
expect_rc 0
expect_err "note: only [0-9]* MiB free in $WORK/small (precompiled headers need [0-9]*): validating without them"
check "one line on stderr" test "$(wc -l <err.txt)" = 1
check "the same records as with room to spare" cmp roomy/train-00000.jsonl cramped/train-00000.jsonl
check "the same rejects as with room to spare" cmp roomy/rejects.jsonl cramped/rejects.jsonl
check "nothing left in the small TMPDIR" test -z "$(ls -A small)"
TMPDIR=$WORK/small js validate roomy --quiet
expect_rc 0
expect_err "validate: note: only [0-9]* MiB free in $WORK/small (precompiled headers need"
check "validate: PASS without precompiled headers" grep -q "result   PASS" out.txt
check "validate: nothing left in the small TMPDIR" test -z "$(ls -A small)"

# NVRTC fails every module when TMPDIR is 126 characters or more ("name of
# directory for temporary files is too long"): its servers then get /tmp,
# and the run validates as with a short one
long=$WORK/$(printf 'd%.0s' $(seq 130))
mkdir -p "$long"
TMPDIR=$long js generate --categories seed --format jsonl -n 3 --devices cuda -o longtmp --quiet; expect_rc 0
check "a ${#long}-character TMPDIR: every kernel validated on CUDA" test "$(jq .counts.records longtmp/manifest.json)" = 3
check "... and nothing left in it" test -z "$(ls -A "$long")"
