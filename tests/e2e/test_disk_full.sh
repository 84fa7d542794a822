# test_disk_full: issue 6, "disk full or write errors". A generate run whose
# writes start failing must stop with one clear error line and a non-zero
# exit (not die of SIGXFSZ), leave no incomplete shard under a final name
# (every train-*.jsonl holds whole JSON lines and the journal's size and
# SHA-256 for it), and `generate --resume`, once there is room again, must
# finish with exactly the dataset an uninterrupted run writes.
#   1. RLIMIT_FSIZE (`ulimit -f`): the limit is picked from the reference
#      run's shard sizes so that some shards complete and a later, larger
#      one cannot; a second limited resume (after a torn journal line, as a
#      write cut short leaves it) completes more shards and fails again.
#   2. a small tmpfs (ENOSPC), grown with `mount -o remount` to resume;
#      skipped when mounting is not permitted here.
source "$(dirname "$0")/lib.sh"
N=${N:-60}
# The kernels come from the fake worker: the writes tested are jitsynth's.
OPTS="-n $N --seed 7 --shard-size 6 --jobs 2 --quiet --categories seed --python $FAKE"
# The in-process NVRTC of --validate syntax cannot work under a file size
# limit ("unable to obtain mapped memory"): every kernel would be rejected.
# This test is about jitsynth's own writes, so validation stays off.
"$JS" generate --help 2>&1 | grep -q -- --validate && OPTS="$OPTS --validate none"

"$JS" generate --format jsonl $OPTS -o ref
check "reference run complete" test "$(jq .complete ref/manifest.json)" = true
mapfile -t sizes < <(jq '.shards[].bytes' ref/manifest.json)

# Every shard under a final name is whole: complete JSON lines, and if the
# journal names it, exactly the size and SHA-256 the journal gives.
shards_intact() { # dir
	local f name
	for f in "$1"/train-*.jsonl; do
		[ -e "$f" ] || continue
		name=$(basename "$f")
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || { echo "$name: last line incomplete"; return 1; }
		jq -e 'has("python_source")' "$f" >/dev/null || { echo "$name: a line is not a record"; return 1; }
		local want
		want=$(jq -r --arg n "$name" 'select(.shard == $n) | "\(.shard_bytes) \(.sha256)"' "$1/journal.jsonl" 2>/dev/null | tail -1)
		if [ -n "$want" ]; then
			[ "$want" = "$(stat -c %s "$f") $(sha256sum "$f" | cut -d' ' -f1)" ] ||
				{ echo "$name: differs from the journal"; return 1; }
		else
			# completed but not journaled (failed between rename and
			# journal): still whole, --resume redoes it
			[ "$(wc -l <"$f")" = 6 ] || { echo "$name: not journaled and not whole"; return 1; }
		fi
	done
}

# The first shard k > from larger than every shard before it: a file size
# limit of max(shards 0..k-1) lets those complete and stops the run in k.
# Prints "k limit_kib", or nothing.
pick_limit() { # from
	local k max=0
	for ((k = 0; k < ${#sizes[@]}; k++)); do
		if ((k > $1 && sizes[k] > max)); then echo "$k $(((max + 1023) / 1024))"; return; fi
		((sizes[k] > max)) && max=${sizes[k]}
	done
}

failed_cleanly() { # dir what
	expect_rc 1
	expect_err "$2"
	check "$1: the error is one line, then the resume hint" test "$(grep -c . err.txt)" -le 2
	check "$1: the first line says what failed" grep -q "^jitsynth: cannot .*$2" <(head -1 err.txt)
	check "$1: no shard under a final name is incomplete" shards_intact "$1"
	check "$1: no manifest claims the run complete" test "$(jq .complete "$1/manifest.json" 2>/dev/null)" != true
}

# --- 1. RLIMIT_FSIZE ---------------------------------------------------
read -r k lim < <(pick_limit 0) || fail "no shard larger than the ones before it (change the seed)"
set +e
(ulimit -f "$lim"; exec "$JS" generate --format jsonl $OPTS -o lim >out.txt 2>err.txt)
rc=$?
set -e
[ "$rc" != $((128 + 25)) ] || fail "killed by SIGXFSZ: a file size limit must fail the write, not kill jitsynth"
failed_cleanly lim "File too large"
check "limit ${lim} KiB: the $k shards below it completed" test "$(ls lim | grep -c '^train-')" = "$k"

# a write cut short leaves a torn journal line: the next entries must not
# be glued to it (that would make the journal unreadable for a later resume)
printf '{"shard":"train-0000' >>lim/journal.jsonl
if read -r k2 lim2 < <(pick_limit "$k"); then
	set +e
	(ulimit -f "$lim2"; exec "$JS" generate --resume -o lim --python "$FAKE" >out.txt 2>err.txt)
	rc=$?
	set -e
	failed_cleanly lim "File too large"
	check "resume under ${lim2} KiB: shards $k..$((k2 - 1)) added" test "$(ls lim | grep -c '^train-')" = "$k2"
fi
js generate --resume -o lim --quiet --python "$FAKE"
expect_rc 0
check "resumed without the limit: identical to the uninterrupted run" same_as_ref lim
check "no duplicated record" test "$(cat lim/train-*.jsonl | jq -r .id | sort | uniq -d | wc -l)" = 0

# --- 2. a full tmpfs -------------------------------------------------------
mkdir -p mnt
total=$(du -sb ref | cut -f1)
if mount -t tmpfs -o size=$((total * 45 / 100)) jitsynth-test mnt 2>/dev/null; then
	trap 'umount "$WORK/mnt" 2>/dev/null || true' EXIT
	js generate --format jsonl $OPTS -o mnt/full
	failed_cleanly mnt/full "No space left on device"
	check "tmpfs: some shards completed before it filled" test "$(ls mnt/full | grep -c '^train-')" -gt 0
	mount -o remount,size=$((total * 3)) mnt
	js generate --resume -o mnt/full --quiet --python "$FAKE"
	expect_rc 0
	check "tmpfs grown: resumed run identical to the uninterrupted run" same_as_ref mnt/full
	# jitsynth has exited; a process still holding a file there would be one
	# it left behind: name it, then give it a moment before failing
	for _ in $(seq 50); do umount mnt 2>/dev/null && break; sleep 0.1; done
	if mountpoint -q mnt; then
		for p in /proc/[0-9]*; do
			ls -l "$p/fd" "$p/cwd" 2>/dev/null | grep -q "$WORK/mnt" && echo "holds mnt: $(tr '\0' ' ' <"$p/cmdline")"
		done
		fail "tmpfs: still busy 5 s after jitsynth exited"
	fi
	trap - EXIT
else
	echo "skip: cannot mount a tmpfs here (not root, or not permitted)"
fi
