# test_dir_lock: issue 14, finding 6. A live run holds DIR/.jitsynth.lock
# (flock, its pid inside): a second generate into DIR, with --force or
# --resume, and a merge into it are refused with that pid and leave the live
# run alone; verify says the directory is being written. Workers do not
# inherit the lock: the moment the run itself is killed (SIGKILL, its
# workers still alive), the stale lock is taken over and --resume finishes
# the run, identical to an uninterrupted one. Two runs started at once into
# one directory: one writes it, the other is refused; the dataset is whole.
source "$(dirname "$0")/lib.sh"
OPTS="-n 60 --seed 2 --shard-size 10 --validate none --jobs 1 --quiet --categories seed"
"$JS" generate --format jsonl $OPTS -o ref

# a run that stays alive: its worker hangs at kernel 25 (shards 0 and 1 done)
JITSYNTH_TEST_HANG=25 "$JS" generate --format jsonl $OPTS --timeout 600 -o live &
pid=$!
workers=
# whatever happens below, the hanging run and its worker end with the test
trap 'kill -9 $pid $workers $(pgrep -P $pid 2>/dev/null) 2>/dev/null || true' EXIT
for i in $(seq 300); do
	[ "$(cat live/.jitsynth.lock 2>/dev/null)" = "$pid" ] && [ -e live/train-00001.jsonl ] && break
	sleep 0.1
done
check "the live run holds the lock, its pid in the file" test "$(cat live/.jitsynth.lock)" = "$pid"
busy="'live' is in use by another jitsynth run (pid $pid); wait for it to end, or stop it (kill $pid) and run again"
for args in "$OPTS -o live" "$OPTS -o live --force" "--resume -o live --quiet"; do
	js generate --categories seed --format jsonl $args; expect_rc 1
	expect_err "$busy"
	check "generate $args: refused in one line" test "$(wc -l < err.txt)" = 1
done
js merge --format jsonl ref -o live --force; expect_rc 1
expect_err "jitsynth merge: $busy"
js verify live; expect_rc 1
expect_err "'live' is being written by jitsynth (pid $pid); verify it when that run ends"
check "the live run is still alive" kill -0 $pid
check "and its files are still there" test -e live/journal.jsonl -a -e live/train-00000.jsonl

# kill the run alone: its worker lives on (hanging), the lock does not
workers=$(pgrep -P $pid || true)
kill -9 $pid
wait $pid 2>/dev/null || true
check "(its worker outlived it)" test -n "$workers"
check "a stale lock file is left" test "$(cat live/.jitsynth.lock)" = "$pid"
js generate --resume -o live --quiet; expect_rc 0
check "taken over at once; the resumed run is identical" same_as_ref live
check "and the lock file is gone" test ! -e live/.jitsynth.lock
kill -9 $workers 2>/dev/null || true
trap - EXIT

# two runs at once
"$JS" generate --format jsonl $OPTS -o race >a.out 2>a.err & p1=$!
"$JS" generate --format jsonl $OPTS -o race >b.out 2>b.err & p2=$!
r1=0 r2=0
wait $p1 || r1=$?
wait $p2 || r2=$?
check "two runs at once: exactly one wrote the dataset" test "$((r1 + r2))" = 1
cat a.err b.err > err.txt
expect_err "'race' \(is in use by another jitsynth run (pid [0-9]*)\|already holds a dataset\)"
check "the dataset is whole" same_as_ref race
