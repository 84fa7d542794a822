# test_machinery: the pipeline's machinery (pool, reorder window, shards,
# journal, resume, signals) through `jitsynth generate` with the fake worker
# (tests/helper/fake_worker.c, scripted by FAKE_WORKER) instead of Python
# and Warp, so each case takes milliseconds: determinism across --jobs and
# --batch with replies out of order; crashes, hangs, garbage, Warp errors and
# a worker killed from outside; start-up failures; SIGINT/SIGTERM; SIGKILL at
# random moments then --resume, byte-identical to an uninterrupted run.
source "$(dirname "$0")/lib.sh"
[ -x "$FAKE" ] || fail "no fake worker at $FAKE (make $FAKE)"
N=120
OPTS="-n $N --seed 7 --shard-size 40 --validate none --quiet --python $FAKE"

# Whether dataset $2 equals dataset $1 (same_as_ref, for any reference).
same_as() { # ref dir
	for f in "$1"/train-*.jsonl "$1"/rejects.jsonl; do cmp -s "$f" "$2/$(basename "$f")" || return 1; done
	test "$(ls "$2" | grep -c '^train-')" = "$(ls "$1" | grep -c '^train-')" &&
		diff <(jq 'del(.timing)' "$1/manifest.json") <(jq 'del(.timing)' "$2/manifest.json") >/dev/null
}
# Every index 0..n-1 appears exactly once, as a record or a reject.
all_indices_once() { # dir n
	{ records "$1"; cat "$1/rejects.jsonl"; } | jq -r '.meta.index // .index' | sort -n > idx.txt
	test "$(uniq idx.txt | wc -l)" = "$2" && test "$(wc -l < idx.txt)" = "$2" &&
		test "$(head -1 idx.txt)" = 0 && test "$(tail -1 idx.txt)" = $(($2 - 1))
}
restarts() { jq .timing.worker_restarts "$1/manifest.json"; }
reject_indices() { jq -r .index "$1/rejects.jsonl" | tr '\n' ' '; }
# Runs generate with FAKE_WORKER=$1 (js: sets $rc, keeps out.txt/err.txt).
fk() { # script args...
	local script=$1; shift
	FAKE_WORKER=$script js generate --format jsonl "$@"
}

# ---- determinism: --jobs 1/2/4 x --batch 1/8, replies shuffled ----
PLANT=error=7,error=99,error=100
fk $PLANT $OPTS --jobs 1 --batch 1 -o det; expect_rc 0
check "3 shards (40,40,37): shards rotate" test "$(ls det | grep -c '^train-')" = 3
check "the 3 Warp errors are the rejects" test "$(reject_indices det)" = "7 99 100 "
check "metrics count them by reason" test "$(jq '[.metrics.rejects_by_reason[]] | add' det/manifest.json)" = 3
fk $PLANT $OPTS --jobs 1 --batch 8 -o det-j1-b8; expect_rc 0
check "--jobs 1 --batch 8: identical" same_as det det-j1-b8
for j in 2 4; do
	for b in 1 8; do # one worker answers in order: shuffling needs several
		fk $PLANT,shuffle_ms=2 $OPTS --jobs $j --batch $b -o det-j$j-b$b; expect_rc 0
		check "--jobs $j --batch $b, replies out of order: identical" same_as det det-j$j-b$b
	done
done
fk "" -n 150 --seed 5 --categories all --jobs 1 --validate none --quiet --python $FAKE -o all1; expect_rc 0
fk shuffle_ms=2 -n 150 --seed 5 --categories all --jobs 3 --batch 2 --validate none --quiet --python $FAKE -o all2
expect_rc 0
check "every profile: identical with --jobs 1 and 3" same_as all1 all2
fk "" -n 50 --seed 8 --jobs 2 --validate none --quiet --python $FAKE -o other; expect_rc 0
check "another seed gives other kernels" \
	test -z "$(comm -12 <(jq -r .python_source other/train-00000.jsonl | sort -u) <(records det | jq -r .python_source | sort -u) | grep def || true)"

# ---- jsonl.zst: records built on --jobs threads, zstd on a thread of its own ----
FAKE_WORKER=$PLANT js generate $OPTS --jobs 1 -o zst1; expect_rc 0
FAKE_WORKER=$PLANT,shuffle_ms=2 js generate $OPTS --jobs 4 --batch 2 -o zst4; expect_rc 0
same_zst() { # a b
	for f in "$1"/train-*.jsonl.zst; do cmp -s "$f" "$2/$(basename "$f")" || return 1; done
	test "$(ls "$2" | grep -c '^train-.*\.zst$')" = 3
}
check "jsonl.zst: identical shards with --jobs 1 and 4" same_zst zst1 zst4
zst_is_plain() { # zst-dir plain-dir
	for f in "$2"/train-*.jsonl; do zstdcat "$1/$(basename "$f").zst" | cmp -s - "$f" || return 1; done
}
check "jsonl.zst: zstdcat gives the plain run's shards" zst_is_plain zst4 det
check "jsonl.zst: the manifest's SHA-256 is the file's" \
	test "$(jq -r '.shards[0].sha256' zst4/manifest.json)" = "$(sha256sum zst4/train-00000.jsonl.zst | cut -d' ' -f1)"

# ---- worker faults, against a clean run ----
fk "" $OPTS --jobs 2 -o ref; expect_rc 0
check "clean run: $N records, no reject, no restart" \
	test "$(records ref | wc -l)/$(wc -l < ref/rejects.jsonl)/$(restarts ref)" = "$N/0/0"

fk crash=23:$WORK/crash.marker $OPTS --jobs 2 -o crash1; expect_rc 0
check "crash once: the hook fired" test -e crash.marker
check "crash once: retried into a record, identical to the clean run" same_as ref crash1
check "crash once: the restart is counted" test "$(restarts crash1)" -ge 1

fk crash=23 $OPTS --jobs 2 --batch 4 -o crash; expect_rc 0
check "crash always: every kernel stored exactly once" all_indices_once crash $N
check "crash always: only the crashing kernel is rejected" test "$(reject_indices crash)" = "23 "
check "crash always: its reason names the worker's death and last words" jq -e '.stage == "worker" and
	(.reason | test("^worker exited \\(exited with status 9\\): fake_worker: crashing on kernel 23$"))' crash/rejects.jsonl
check "crash always: the other records are the clean run's" \
	cmp <(records ref | jq -c 'select(.meta.index != 23)') <(records crash | jq -c .)

fk hang=31:$WORK/hang.marker $OPTS --jobs 2 --timeout 0.2 -o hang1; expect_rc 0
check "hang once: the hook fired" test -e hang.marker
check "hang once: killed after --timeout and retried: identical" same_as ref hang1
check "hang once: the restart is counted" test "$(restarts hang1)" -ge 1
fk hang=31 $OPTS --jobs 2 --timeout 0.15 -o hang; expect_rc 0
check "hang always: every kernel stored exactly once" all_indices_once hang $N
check "hang always: rejected as silent" jq -e '.index == 31 and .stage == "worker" and (.reason | test("^worker gave no answer for"))' hang/rejects.jsonl

fk garbage=33:$WORK/garbage.marker $OPTS --jobs 2 -o garbage; expect_rc 0
check "garbage: the hook fired" test -e garbage.marker
check "garbage: the worker is replaced, nothing lost: identical" same_as ref garbage
check "garbage: the restart is counted" test "$(restarts garbage)" -ge 1

fk error=5,error=17 $OPTS --jobs 2 -o warperr; expect_rc 0
check "Warp errors: two rejects of stage warp" test "$(jq -r 'select(.stage == "warp") | .index' warperr/rejects.jsonl | tr '\n' ' ')" = "5 17 "
check "with Warp's message and the source" \
	jq -e '(.reason | test("^TypeError: fake_worker rejects kernel")) and (.python_source | contains("@wp.kernel"))' warperr/rejects.jsonl
check "$((N - 2)) records" test "$(records warperr | wc -l)" = $((N - 2))

# a busy worker SIGKILLed from outside
FAKE_WORKER=slow_ms=5 "$JS" generate --format jsonl $OPTS --jobs 2 -o killed &
pid=$!
for _ in $(seq 300); do
	workers=$(pgrep -P $pid || true)
	[ -n "$workers" ] && [ -s killed/.train-00000.jsonl.tmp ] && break
	sleep 0.01
done
victim=$(echo "$workers" | head -1)
check "found a worker to kill" test -n "$victim"
kill -9 "$victim"
wait $pid && rc=0 || rc=$?
check "a worker killed from outside: the run survives (exit $rc)" test $rc = 0
check "a worker killed from outside: retried, identical" same_as ref killed
check "a worker killed from outside: the restart is counted" test "$(restarts killed)" -ge 1

# ---- start-up failures ----
fk die_at_start=1:$WORK/starts0 $OPTS --jobs 1 -o start1; expect_rc 0
check "first start-up fails: a second start replaced it" test "$(cat starts0)" = 2
check "first start-up fails: identical to the clean run" same_as ref start1
fk die_at_start=2-2:$WORK/starts1,slow_ms=4 $OPTS --jobs 2 -o start2; expect_rc 0
check "second worker's start-up fails: a third start replaced it" test "$(cat starts1)" -ge 3
check "second worker's start-up fails: identical" same_as ref start2

start=$(date +%s%N)
fk die_at_start $OPTS --jobs 2 -o dying; expect_rc 1
check "start-ups always fail: gives up in < 2 s" test $((($(date +%s%N) - start) / 1000000)) -lt 2000
check "start-ups always fail: one line" test "$(wc -l < err.txt)" = 1
expect_err "Warp workers keep failing at start-up (exited, exited with status 1): fake_worker: failing at start-up as told"
check "start-ups always fail: nothing stored, nothing left behind" test -z "$(ls -A dying 2>/dev/null)"
fk "" $OPTS -o dying; expect_rc 0
check "start-ups always fail: the same command later works" same_as ref dying

fk fatal $OPTS -o fatal; expect_rc 1
expect_err "Warp cannot be used by '$FAKE': ModuleNotFoundError: No module named 'warp' (fake_worker) (run \`make setup\`"
check "'F' at start-up: one line" test "$(wc -l < err.txt)" = 1
js generate --format jsonl $OPTS --python /nonexistent/python3 -o nopy; expect_rc 1
expect_err "cannot run Python '/nonexistent/python3': No such file or directory"
check "missing interpreter: one line" test "$(wc -l < err.txt)" = 1

# start-ups fail in the middle of a run (kernel 50 kills its workers, every
# restart fails): one clear message, the finished shards kept, --resume with
# a working worker completes to the clean run
start=$(date +%s%N)
fk die_at_start=3-:$WORK/starts2,crash=50 $OPTS --jobs 2 -o broken; expect_rc 1
expect_err "Warp workers keep failing at start-up"
check "gave up in < 2 s instead of spinning" test $((($(date +%s%N) - start) / 1000000)) -lt 2000
check "a bounded number of start-up attempts" test "$(cat starts2)" -le 8
check "one line says why, one how to resume" test "$(wc -l < err.txt)" = 2
expect_err "generate --resume -o broken"
check "the finished shards are kept" test "$(ls broken | grep -c '^train-')" -ge 1
check "the manifest says incomplete" test "$(jq .complete broken/manifest.json)" = false
fk "" --resume -o broken --python $FAKE --quiet; expect_rc 0
check "resumed with a working worker: identical to the clean run" same_as ref broken

# ---- signals: SIGINT / SIGTERM, then --resume ----
# Warp errors planted throughout (every run of this dataset, resumes too), so
# that the manifest's metrics, rebuilt on resume, have reasons to count.
BIG="-n 300 --seed 9 --shard-size 40 --validate none --quiet --python $FAKE"
BIGPLANT=error=3,error=41,error=42,error=130,error=201,error=299
fk $BIGPLANT $BIG --jobs 2 -o big; expect_rc 0
check "metrics count the 6 planted rejects" test "$(jq '[.metrics.rejects_by_reason[]] | add' big/manifest.json)" = 6
for sig in INT TERM; do
	FAKE_WORKER=$BIGPLANT,slow_ms=2 "$JS" generate --format jsonl $BIG --jobs 2 -o ds$sig 2>err$sig.txt &
	pid=$!
	for _ in $(seq 300); do
		[ "$(ls ds$sig/train-*.jsonl 2>/dev/null | wc -l)" -ge 2 ] && break
		sleep 0.01
	done
	workers=$(pgrep -P $pid || true)
	kill -$sig $pid
	wait $pid && rc=0 || rc=$?
	check "SIG$sig: exit 1 (got $rc)" test $rc = 1
	check "SIG$sig: says it was interrupted" grep -q "interrupted after" err$sig.txt
	check "SIG$sig: says how to resume" grep -q "generate --resume -o ds$sig. continues the run" err$sig.txt
	check "SIG$sig: manifest says incomplete" test "$(jq .complete ds$sig/manifest.json)" = false
	stored=$(records ds$sig | wc -l)
	check "SIG$sig: manifest counts what is stored ($stored)" test "$(jq .counts.records ds$sig/manifest.json)" = "$stored"
	check "SIG$sig: every stored line is a whole record" test "$(records ds$sig | jq -c .id | wc -l)" = "$stored"
	check "SIG$sig: no temporary files" test -z "$(ls -A ds$sig | grep tmp || true)"
	check "SIG$sig: workers were running" test -n "$workers"
	for w in $workers; do check "SIG$sig: worker $w is gone" bash -c "! kill -0 $w 2>/dev/null"; done
	fk $BIGPLANT --resume -o ds$sig --python $FAKE --quiet; expect_rc 0
	check "SIG$sig: --resume completes, identical to the uninterrupted run" same_as big ds$sig
done

# ---- SIGKILL (the process group) at random moments, some runs twice ----
RANDOM=4242
for run in $(seq "${KILL_RUNS:-10}"); do
	d=kill$run
	for k in $(seq $((1 + run % 2))); do
		delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.01 + 0.12 * r / 32768 }')
		if [ "$k" = 1 ]; then
			FAKE_WORKER=$BIGPLANT,slow_ms=1 setsid "$JS" generate --format jsonl $BIG --jobs 2 -o $d &
		else
			FAKE_WORKER=$BIGPLANT,slow_ms=1 setsid "$JS" generate --resume -o $d --python $FAKE --quiet &
		fi
		pid=$!
		sleep "$delay"
		kill -9 -- -$pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		echo "run $run: killed after ${delay}s ($(cat $d/train-*.jsonl 2>/dev/null | wc -l) records on disk)"
	done
	FAKE_WORKER=$BIGPLANT "$JS" generate --resume -o $d --python $FAKE --quiet 2>resume.err || {
		if grep -q "no run journal" resume.err; then
			# killed before it wrote its journal: no dataset file is there
			# (its lock and temporaries at most: README, "The output
			# directory"), and the run starts again over them
			check "run $run: killed before its journal: no dataset file left" \
				test -z "$(ls $d 2>/dev/null || true)"
			FAKE_WORKER=$BIGPLANT "$JS" generate --format jsonl $BIG --jobs 2 -o $d --quiet
		else
			grep -q "already complete" resume.err || { cat resume.err; fail "resume of $d failed"; }
		fi
	}
	check "SIGKILL run $run: identical to the uninterrupted run" same_as big $d
	check "SIGKILL run $run: no duplicated record" test "$(records $d | jq -r .id | sort | uniq -d | wc -l)" = 0
done

# a --resume killed during its own start-up (it had set the kept rejects
# aside, then made a new temporary) can itself be resumed, identically
FAKE_WORKER=$BIGPLANT,slow_ms=2 "$JS" generate --format jsonl $BIG --jobs 2 -o early &
pid=$!; sleep 0.2; kill -9 $pid; wait $pid 2>/dev/null || true
mv early/.rejects.jsonl.tmp early/.rejects.jsonl.resume
: >early/.rejects.jsonl.tmp
FAKE_WORKER=$BIGPLANT js generate --resume -o early --python $FAKE --quiet; expect_rc 0
check "a resume killed during its start-up can be resumed: identical" same_as big early

# options that contradict the journal are refused; finished runs say so
FAKE_WORKER=slow_ms=2 "$JS" generate --format jsonl $BIG --jobs 2 -o conflict &
pid=$!; sleep 0.1; kill -9 $pid; wait $pid 2>/dev/null || true
js generate --resume -o conflict --seed 10 --python $FAKE --quiet; expect_rc 1
expect_err "cannot resume: --seed differs from the run in 'conflict'"
js generate --resume -o big --python $FAKE --quiet; expect_rc 1
expect_err "already complete"
js generate --resume -o nowhere --python $FAKE --quiet; expect_rc 1
expect_err "cannot resume: no run journal"
js generate --resume --force -o big --quiet; expect_rc 2
