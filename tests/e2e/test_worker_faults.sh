# test_worker_faults: issue 2, acceptance 4. A worker killed mid-run
# (SIGKILL) and a worker that hangs are survived with no kernel lost; a
# kernel that crashes its worker every time is rejected with the reason; a
# kernel Warp rejects lands in rejects.jsonl with Warp's message.
# flavours: release
source "$(dirname "$0")/lib.sh"
N=500 # enough that the kill below lands while the run still needs its workers
all_indices_once() { # dir: every index 0..N-1 appears exactly once
	{ records "$1"; cat "$1/rejects.jsonl"; } | jq -r '.meta.index // .index' | sort -n | uniq > idx.txt
	test "$(wc -l < idx.txt)" = $N && test "$(head -1 idx.txt)" = 0 && test "$(tail -1 idx.txt)" = $((N - 1))
}

# 1. SIGKILL a busy worker from outside
"$JS" generate --categories seed --format jsonl -n $N -o killed --jobs 2 --quiet --seed 3 --validate none &
pid=$!
# The victim is a worker past its start-up: its Python has spent more CPU
# than importing Warp takes (0.3 s). On a loaded machine one worker may
# still be importing while the other writes records, and a worker killed
# then is a start-up failure, retried but not a restart.
# (up to 60 s: on a loaded machine the workers start slowly, and a kill
# after the run's last kernel would need no restart)
descends() { # pid ancestor
	local p=$1
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		[ "$p" = "$2" ] && return 0
		p=$(proc_stat "$p" '$2')
	done
	return 1
}
busy_worker() { # a Python worker of $pid with > 0.5 s of CPU
	local w
	for w in $(pgrep -f worker.py || true); do
		case $(cat /proc/$w/comm 2>/dev/null) in python*) ;; *) continue ;; esac
		descends "$w" "$pid" || continue
		[ "$(proc_stat "$w" '$12 + $13')" -gt $(($(getconf CLK_TCK) / 2)) ] 2>/dev/null && { echo "$w"; return 0; }
	done
	return 0
}
victim=
for _ in $(seq 600); do
	victim=$(busy_worker)
	[ -n "$victim" ] && [ -e killed/.train-00000.jsonl.tmp ] && [ "$(stat -c %s killed/.train-00000.jsonl.tmp)" -gt 100000 ] && break
	sleep 0.1
done
check "found a worker to kill" test -n "$victim"
records_then=$(wc -l < killed/.train-00000.jsonl.tmp)
kill -9 "$victim"
echo "killed worker $victim with $records_then of $N records written"
wait $pid && rc=0 || rc=$?
check "run survives a killed worker (exit $rc)" test $rc = 0
check "every kernel stored exactly once after the kill" all_indices_once killed
check "the restart is counted" test "$(jq .timing.worker_restarts killed/manifest.json)" -ge 1
check "the killed worker's kernel was retried, not rejected" test "$(wc -l < killed/rejects.jsonl)" = 0
"$JS" generate --categories seed --format jsonl -n $N -o clean --jobs 2 --quiet --seed 3 --validate none
check "same shards as an undisturbed run" cmp killed/train-00000.jsonl clean/train-00000.jsonl

# 2. a worker that hangs once on kernel 57: killed after --timeout, retried
JITSYNTH_TEST_HANG=57:$WORK/hang.marker js generate --categories seed --format jsonl -n $N -o hang --jobs 2 --timeout 3 --quiet --seed 3 --validate none
expect_rc 0
check "the hang hook fired" test -e hang.marker
check "every kernel stored exactly once after a hang" all_indices_once hang
check "the hung kernel was retried into a record" test "$(wc -l < hang/rejects.jsonl)" = 0
check "same shards as an undisturbed run" cmp hang/train-00000.jsonl clean/train-00000.jsonl

# 3. kernel 70 kills its worker every time: retried once, then rejected
JITSYNTH_TEST_CRASH=70 js generate --categories seed --format jsonl -n $N -o crash --jobs 2 --quiet --seed 3 --validate none
expect_rc 0
check "every kernel stored exactly once with a crashing kernel" all_indices_once crash
check "only the crashing kernel is rejected" test "$(jq -r .index crash/rejects.jsonl)" = 70
check "its reason names the worker's death" jq -e '.stage == "worker" and (.reason | test("worker exited"))' crash/rejects.jsonl

# 4. kernels Warp refuses (planted type errors) are rejects with Warp's message
JITSYNTH_TEST_REJECT=5,17 js generate --categories seed --format jsonl -n 40 -o planted --jobs 2 --quiet
expect_rc 0
check "two planted rejects" test "$(jq -r .index planted/rejects.jsonl | tr '\n' ' ')" = "5 17 "
check "with Warp's message" jq -e '.stage == "warp" and (.reason | length > 20) and (.python_source | contains("jitsynth_planted"))' planted/rejects.jsonl
jq -r .reason planted/rejects.jsonl | head -1
check "38 records" test "$(records planted | wc -l)" = 38

# 5. a worker that writes garbage on its frame channel is replaced
JITSYNTH_TEST_GARBAGE=33:$WORK/garbage.marker js generate --categories seed --format jsonl -n 80 -o garbage --jobs 2 --quiet --seed 3 --validate none
expect_rc 0
check "the garbage hook fired" test -e garbage.marker
check "no kernel lost or rejected after garbage" test "$(records garbage | wc -l)" = 80
check "the restart is counted" test "$(jq .timing.worker_restarts garbage/manifest.json)" -ge 1
