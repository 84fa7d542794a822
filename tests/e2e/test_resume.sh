# test_resume: issue 6, acceptance 1. Runs of `generate` killed with SIGKILL
# (the whole process group, as a power loss would) at random moments, some
# twice, then resumed with --resume: every final dataset is byte-identical to
# an uninterrupted run's (manifest timing aside), 0 records lost, 0
# duplicated. KILL_RUNS and N scale it (`make soak` runs 20 x 5000). Rejects
# are planted throughout, so that the manifest's metrics (rebuilt on resume
# from the kept shards and rejects) have reasons to count. This is the real
# thing (Warp's workers, validation); the same machinery is killed ten more
# times in seconds with the fake worker (test_machinery).
# flavours: release
source "$(dirname "$0")/lib.sh"
KILL_RUNS=${KILL_RUNS:-2}
N=${N:-300}
OPTS="-n $N --seed 9 --shard-size 40 --jobs 2 --quiet --categories seed"
export JITSYNTH_TEST_REJECT=$(seq -s, 3 $((N / 7 + 1)) $((N - 1)))
"$JS" generate --format jsonl $OPTS -o ref
check "reference run complete" test "$(jq .complete ref/manifest.json)" = true
check "metrics count the planted rejects" \
	test "$(jq '[.metrics.rejects_by_reason[]] | add' ref/manifest.json)" = "$(jq .counts.rejects ref/manifest.json)"
t_ref=$(jq '.timing.seconds' ref/manifest.json)

RANDOM=$((KILL_RUNS * 7919 + N))
for run in $(seq "$KILL_RUNS"); do
	d=run$run
	kills=$((1 + run % 2)) # odd runs killed twice, even runs once
	for k in $(seq $kills); do
		resume=; [ "$k" -gt 1 ] && resume=--resume
		# a random moment within the reference run's duration
		delay=$(awk -v t="$t_ref" -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + (t * 0.9) * r / 32768 }')
		if [ -n "$resume" ]; then setsid "$JS" generate --resume -o $d --quiet & else setsid "$JS" generate --format jsonl $OPTS -o $d & fi
		pid=$!
		sleep "$delay"
		kill -9 -- -$pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		echo "run $run: killed after ${delay}s ($(cat $d/train-*.jsonl 2>/dev/null | wc -l) records on disk)"
	done
	"$JS" generate --resume -o $d --quiet 2>resume.err || {
		grep -q "already complete" resume.err || { cat resume.err; fail "resume of $d failed"; }
	}
	check "run $run (killed $kills x): identical to the uninterrupted run" same_as_ref $d
	ids=$(cat $d/train-*.jsonl | jq -r .id | sort | uniq -d | wc -l)
	check "run $run: no duplicated record" test "$ids" = 0
done

# options that contradict the journal are refused; finished runs say so
"$JS" generate --format jsonl $OPTS -o conflict &
pid=$!; sleep 1; kill -9 $pid; wait $pid 2>/dev/null || true
js generate --resume -o conflict --seed 10 --quiet; expect_rc 1
expect_err "cannot resume: --seed differs from the run in 'conflict'"
js generate --resume -o ref --quiet; expect_rc 1
expect_err "already complete"
js generate --resume -o nowhere --quiet; expect_rc 1
expect_err "cannot resume: no run journal"
js generate --resume --force -o ref --quiet; expect_rc 2

# stopped after its last shard, before its manifest: the resumed run has
# nothing left to generate and starts no Warp worker, and its manifest is
# still the uninterrupted run's (warp_version from the kept shards)
# (no planted rejects here: one at the last index makes the resume start a worker)
env -u JITSYNTH_TEST_REJECT "$JS" generate --format jsonl -n 80 --seed 9 --shard-size 40 --jobs 2 --quiet \
	--categories seed --validate none -o whole
cp -r whole late && rm late/manifest.json late/README.md
env -u JITSYNTH_TEST_REJECT "$JS" generate --resume -o late --quiet
check "resumed with nothing left: the Warp version of its shards" \
	test "$(jq -r .warp_version late/manifest.json)" = "$(jq -r .warp_version whole/manifest.json)"
check "and the uninterrupted run's manifest" diff <(jq 'del(.timing)' whole/manifest.json) <(jq 'del(.timing)' late/manifest.json)

# the killed runs could not remove their validator temp dirs; the next run
# that validates removes them (test_scratch has the details)
js generate --categories seed --format jsonl -n 2 -o last --seed 3 --quiet; expect_rc 0
check "no validator temp dir left in TMPDIR" test -z "$(scratch_dirs)"
