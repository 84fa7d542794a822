# test_slurm: issue 15's Slurm acceptance on a real single-node Slurm
# (Debian's slurm-wlm and munge, scripts/setup-test.sh): munged, slurmctld
# and slurmd on localhost, their keys, config, state, sockets and logs all in
# this test's directory, torn down at the end even on failure. A 4-task
# array (scripts/slurm/submit.sh --wait: `sbatch --wait --array=0-3`, then
# the merge step) over real Warp makes a dataset byte-identical to one
# `jitsynth generate` run with the same options, duplicates planted across
# parts included (global dedup); a task made to fail (its directory holds a
# file jitsynth did not write) fails the merge step with a line naming the
# part, and making that part again lets the merge succeed.
# flavours: release
# load: light
source "$(dirname "$0")/lib.sh"
for b in munged slurmctld slurmd sbatch sinfo; do
	command -v $b >/dev/null || PATH=$PATH:/usr/sbin
	command -v $b >/dev/null || fail "no $b: install slurm-wlm and munge (scripts/setup-test.sh)"
done

# the daemons' files live in a short directory of their own: a socket path
# has at most 107 bytes, and a deep checkout's $WORK is longer than that
S=$(mktemp -d /tmp/jitsynth-slurm.XXXXXX)
chmod 755 "$S"
mkdir -p "$S"/{state,spool,munge}
chmod 700 "$S/munge"
pids=()
teardown() {
	local p
	if [ "${SLURM_CONF:-}" = "$S/slurm.conf" ]; then # our cluster's jobs only
		scancel --user="$(id -un)" >/dev/null 2>&1 || true
		for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
	fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$S"
}
trap teardown EXIT

# munge: a key of our own, a socket in our directory
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$S/munge/munge.key"
munged --foreground --force --key-file="$S/munge/munge.key" --socket="$S/munge/sock" \
	--pid-file="$S/munge/pid" --log-file="$S/munge/log" --seed-file="$S/munge/seed" 2>"$S/munge/stderr" &
pids+=($!)
for _ in $(seq 50); do [ -S "$S/munge/sock" ] && break; sleep 0.1; done
[ -S "$S/munge/sock" ] || { cat "$S/munge/stderr" "$S/munge/log" >&2; fail "munged did not start"; }

# two free TCP ports for slurmctld and slurmd
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
	done
	fail "no free port"
}
ctl_port=$(free_port)
d_port=$(free_port)
while [ "$d_port" = "$ctl_port" ]; do d_port=$(free_port); done
host=$(hostname -s)
cpus=$(nproc)
cat >"$S/slurm.conf" <<EOF
ClusterName=jitsynth-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF=$S/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" 2>"$S/slurmctld.stderr" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" 2>"$S/slurmd.stderr" &
pids+=($!)
idle=
for _ in $(seq 150); do
	idle=$(sinfo -h -o %T 2>/dev/null || true)
	[ "$idle" = idle ] && break
	sleep 0.2
done
[ "$idle" = idle ] || { tail -20 "$S"/slurm*.log "$S"/*.stderr >&2; fail "the Slurm node did not come up (state '$idle')"; }
echo "ok: single-node Slurm up ($host, $cpus CPUs, ports $ctl_port/$d_port)"

# Kernels 20, 21, 38 and 45 copy kernels of earlier parts: exact and
# structural duplicates that only global dedup (the merge) can drop, among
# them 38, an exact copy of 21, itself a structural copy of 3: the run
# counts 38 as structural (21 was not kept), which no per-part dedup gets.
export JITSYNTH_TEST_COPY=20:1,21:3~,38:21,45:2~
export JITSYNTH_TEST_REJECT=9,30
OPTS="-n 48 --seed 5 --shard-size 10 --validate none --categories seed"
mkdir single && (cd single && "$JS" generate $OPTS --jobs 2 --quiet -o data) || fail "single-machine run failed"
check "the single run drops the planted duplicates (20 exact; 21, 38, 45 structural)" \
	test "$(jq -c .counts.dedup single/data/manifest.json)" = '{"exact":1,"structural":3}'

# Jobs run in the submit directory (their logs land there).
mkdir run && cd run
set +e
JITSYNTH=$JS bash "$ROOT/scripts/slurm/submit.sh" --wait --sbatch "--cpus-per-task=1" 4 "$WORK/run" -- $OPTS >submit.out 2>submit.err
rc=$?
set -e
cd "$WORK"
[ "$rc" = 0 ] || { cat run/submit.* run/jitsynth-*.out >&2; fail "the array and its merge failed (exit $rc)"; }
check "4 parts, each its own directory, each a part of 4" \
	test "$(for k in 0 1 2 3; do jq -r '.options.part | "\(.k)/\(.of)"' run/parts/part-$k/manifest.json; done | tr '\n' ' ')" = "0/4 1/4 2/4 3/4 "
check "the merge step reports the 4 parts" grep -q "merged 4 parts" run/jitsynth-merge-*.out
same_dataset() { # a b
	local f
	for f in "$1"/train-* "$1"/rejects.jsonl "$1"/README.md; do cmp "$f" "$2/$(basename "$f")" || return 1; done
	test "$(ls "$1" | grep -c '^train-')" = "$(ls "$2" | grep -c '^train-')" &&
		diff <(jq 'del(.timing)' "$1/manifest.json") <(jq 'del(.timing)' "$2/manifest.json")
}
# the card names the directory as given: compare runs made as "data" in their own dirs
mkdir cmp-a cmp-b
(cd cmp-a && "$JS" merge ../run/parts/part-{0,1,2,3} -o data >/dev/null) || fail "merge failed"
for f in single/data/train-* single/data/rejects.jsonl; do
	cmp "$f" "run/data/$(basename "$f")" || fail "run/data/$(basename "$f") differs from the single run's"
done
check "the merged manifest is the single run's, timing aside" \
	diff <(jq 'del(.timing)' single/data/manifest.json) <(jq 'del(.timing)' run/data/manifest.json)
check "as are the shards, rejects, card (same directory name)" same_dataset single/data cmp-a/data
check "the merged dataset verifies" "$JS" verify run/data

# A failing task: part 2's directory holds a file jitsynth did not write.
rm -rf run2 && mkdir -p run2/parts/part-2 && echo mine >run2/parts/part-2/notes.txt
cd run2
set +e
JITSYNTH=$JS bash "$ROOT/scripts/slurm/submit.sh" --wait 4 "$WORK/run2" -- $OPTS >submit.out 2>submit.err
rc=$?
set -e
cd "$WORK"
check "a failed task fails the submission" test "$rc" != 0
check "its task says why" grep -q "notes.txt" run2/jitsynth-part-*_2.out
check "submit.sh says a task failed" grep -q "a task of the array failed" run2/submit.err
check "the merge step names the part" grep -q "part-2' holds no finished part" run2/jitsynth-merge-*.out
check "and writes no dataset" test ! -e run2/data/manifest.json
rm run2/parts/part-2/notes.txt
(cd run2 && export JITSYNTH=$JS && sbatch --wait --array=2 "$ROOT/scripts/slurm/part.sbatch" "$WORK/run2" 4 $OPTS >/dev/null &&
	sbatch --wait "$ROOT/scripts/slurm/merge.sbatch" "$WORK/run2" 4 >/dev/null) || fail "rerunning task 2 and the merge failed"
check "task 2 again, then the merge: the single run's dataset" \
	diff <(jq 'del(.timing)' single/data/manifest.json) <(jq 'del(.timing)' run2/data/manifest.json)
