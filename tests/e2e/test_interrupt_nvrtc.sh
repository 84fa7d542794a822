# test_interrupt_nvrtc: Ctrl-C at a terminal (SIGINT to the whole process
# group, which setsid makes jitsynth lead, as a shell does for a foreground
# job) at random moments after a validating `generate` started its NVRTC
# servers (within the first 60% of an uninterrupted run's time, measured
# here, so that it lands mid-run on a fast machine as on a loaded one), while NVRTC and g++ compile, always ends in the clean path:
# exit 1, the "interrupted" line and the resume line (also when no kernel is
# stored yet), a manifest with "complete": false, the NVRTC servers gone,
# never a crash. NVRTC's own SIGINT handler, which calls exit() from a
# compiling thread, runs in server processes that Ctrl-C does not reach.
# `--resume` then finishes with exactly the dataset of an uninterrupted run.
# INTERRUPTS runs (default 3 in the suite; the long form:
# INTERRUPTS=50 E2E_ONLY=test_interrupt_nvrtc make check).
# flavours: release
source "$(dirname "$0")/lib.sh"
INTERRUPTS=${INTERRUPTS:-3}
N=${N:-300} # ~3 s here with nothing else running, ~6 s under the suite's load
OPTS="-n $N --seed 7 --shard-size 25 --jobs 2 --categories seed"
t0=$(date +%s%N)
"$JS" generate --format jsonl $OPTS -o ref --quiet
ref_ms=$((($(date +%s%N) - t0) / 1000000))
check "reference run complete" test "$(jq .complete ref/manifest.json)" = true
window=$((ref_ms * 6 / 10))
echo "reference run: $ref_ms ms; interrupts within ${window} ms of the servers' start"

# a process's start time in clock ticks since boot, or nothing once it is gone
started() { proc_stat "$1" '$20'; }
crashes=0 clean=0 resumed=0 early=0
for i in $(seq "$INTERRUPTS"); do
	d=ds$i
	setsid "$JS" generate --format jsonl $OPTS -o $d >out$i.txt 2>err$i.txt &
	pid=$!
	# the compilers start with the first Warp worker (seconds on a loaded
	# machine): the random moment is counted from there
	sid=$(ps -o sid= -p $pid | tr -d ' ')
	for _ in $(seq 600); do
		pgrep -s "$sid" -f "nvrtc-server" >/dev/null && break
		sleep 0.1
	done
	ms=$(((RANDOM * 32768 + RANDOM) % window))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	pgid=$(ps -o pgid= -p $pid | tr -d ' ')
	[ "$pgid" = "$pid" ] || fail "run $i: jitsynth does not lead its process group ($pgid)"
	servers=$(pgrep -s "$sid" -f "nvrtc-server" || true)
	# each server's start time: once it is gone its pid may be another's
	# (pids wrap at 32768 on a machine that runs this many compilers)
	declare -A born=()
	for s in $servers; do born[$s]=$(started "$s"); done
	kill -INT -- "-$pid"
	wait $pid && rc=0 || rc=$?
	[ "$rc" = 139 ] && crashes=$((crashes + 1))
	echo "run $i: SIGINT ${ms} ms after the servers started: exit $rc, $(grep -c . err$i.txt) lines: $(head -c 200 err$i.txt | tr '\n' '|')"
	check "run $i: exit 1 (got $rc)" test "$rc" = 1
	check "run $i: says it was interrupted" grep -q "interrupted" err$i.txt
	check "run $i: NVRTC servers were running" test -n "$servers"
	for s in $servers; do check "run $i: server $s is gone" test "$(started "$s")" != "${born[$s]}"; done
	# Every interrupt leaves a run to resume, even one before the first
	# kernel is stored (run.c: a stop is the user's; only a failed start
	# leaves nothing behind).
	grep -q "interrupted after 0 of" err$i.txt && early=$((early + 1))
	check "run $i: gives the resume line" grep -q -- "jitsynth generate --resume -o $d\` continues the run" err$i.txt
	check "run $i: manifest says incomplete" test "$(jq .complete $d/manifest.json)" = false
	js generate --resume -o $d --quiet
	clean=$((clean + 1))
	expect_rc 0
	check "run $i: resumed run identical to the uninterrupted one" same_as_ref $d
	resumed=$((resumed + 1))
	rm -rf "$d"
done
echo "interrupts: $INTERRUPTS, clean exits: $clean ($early before the first kernel was stored), crashes (exit 139): $crashes, identical resumes: $resumed"
