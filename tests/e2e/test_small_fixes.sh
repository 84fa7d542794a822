# test_small_fixes: issue 14, finding 9, one block each. A failed start
# (TMPDIR=/nonexistent, --python /nonexistent, --cxx /nonexistent) leaves
# nothing, so the retry runs; Ctrl-C in the first moments (of generate and
# of validate) says "interrupted", not that Warp is broken; resume messages name the user's
# files, not internal ones, and say how to go on (a damaged journal line
# too); seeds >= 2^63 are stored as themselves and read back; a shard listed
# twice is counted once by stats; stats --html never overwrites a dataset
# file; export and merge of 0 records exit 1; merge --zstd-level needs
# jsonl.zst; `help generate` is generate's help; the resume hint is
# shell-quoted (and works as printed); pairs/s after a resume counts this
# process's pairs; on a terminal (tests/helper/pty_run.py) the ETA leaves
# start-up out, Ctrl-C shows "stopping" at once, and a narrow terminal gets
# one row per refresh.
source "$(dirname "$0")/lib.sh"
OPTS="-n 45 --seed 5 --shard-size 10 --validate none --jobs 2 --quiet --categories seed"
PTY="python3 $ROOT/tests/helper/pty_run.py"
JITSYNTH_TEST_REJECT=3,17,33,41 "$JS" generate --format jsonl $OPTS -o ref # rejects before and after the journaled prefix
interrupted() { cp -r ref "$1"; rm "$1"/manifest.json "$1"/README.md "$1"/train-00004.jsonl; }

# ---- a failed start leaves nothing; the retry runs ----
TMPDIR=/nonexistent js generate --categories seed --format jsonl -n 3 -o t1 --devices cpu --quiet; expect_rc 1
js generate --categories seed --format jsonl -n 3 -o t2 --python /nonexistent --validate none --quiet; expect_rc 1
js generate --categories seed --format jsonl -n 3 -o t3 --cxx /nonexistent --devices cpu --quiet; expect_rc 1
mkdir t4
js generate --categories seed --format jsonl -n 3 -o t4 --python /nonexistent --validate none --quiet; expect_rc 1
check "failed starts: no directory made, no journal left" test ! -e t1 -a ! -e t2 -a ! -e t3
check "an existing directory is left as it was (empty)" test -z "$(ls -A t4)"
for d in t1 t2 t3 t4; do # (the fake worker: the retry is the C side's)
	js generate --categories seed --format jsonl -n 3 -o $d --devices cpu --quiet --python "$FAKE" --validate none; expect_rc 0
done
check "and the retries run" test "$(cat t1/train-*.jsonl t4/train-*.jsonl | wc -l)" = 6

# ---- Ctrl-C in the first moments ----
for delay in 0.05 0.2 0.4 0.7; do
	setsid "$JS" generate --categories seed --format jsonl -n 40 -o early --validate none --jobs 2 --quiet >out.txt 2>err.txt &
	pid=$!
	sleep $delay
	kill -INT -- -$pid 2>/dev/null || true
	rc=0; wait $pid || rc=$?
	if [ $rc = 0 ]; then rm -rf early; continue; fi # finished first
	check "Ctrl-C after ${delay}s: not diagnosed as a broken Warp" bash -c '! grep -qi "warp\|python" err.txt'
	expect_err "interrupted after"
	js generate -n 40 -o early --validate none --quiet; [ "$rc" = 0 ] || js generate --resume -o early --quiet
	expect_rc 0
	rm -rf early
done

for delay in 0.05 0.15; do # validate probes Warp's headers first (later, NVRTC: issue 14, finding 3)
	setsid "$JS" validate ref >out.txt 2>err.txt &
	pid=$!
	sleep $delay
	kill -INT -- -$pid 2>/dev/null || true
	rc=0; wait $pid || rc=$?
	check "validate, Ctrl-C after ${delay}s: not diagnosed as a broken Warp" bash -c '! grep -qi "import warp\|cannot be used" err.txt'
	check "validate, Ctrl-C after ${delay}s: interrupted, exit 1" bash -c "[ $rc = 1 ] && grep -q INTERRUPTED out.txt"
done

# ---- resume messages: the user's files, and how to go on ----
interrupted torn
sed -i '3s/.*/{"shard": garbled/' torn/journal.jsonl
js generate --resume -o torn --quiet; expect_rc 1
expect_err "cannot resume: line 3 of 'torn/journal.jsonl' is damaged; \`jitsynth verify torn\` checks the finished shards, \`--force\` starts the run over"
interrupted short
mv short/rejects.jsonl short/.rejects.jsonl.tmp # as a killed run leaves it
truncate -s 20 short/.rejects.jsonl.tmp
js generate --resume -o short --quiet; expect_rc 1
expect_err "cannot resume: 'short/rejects.jsonl' holds 20 bytes, but the finished shards' rejects took [0-9]* (it was cut); restore it, or start over with --force"
check "no internal file named" bash -c '! grep -q "\.tmp\|\.resume" err.txt'

# ---- seeds >= 2^63 ----
big=18446744073709551615
"$JS" generate --categories seed --format jsonl -n 12 --seed $big --shard-size 5 --validate none --quiet -o big --python "$FAKE"
check "the seed in the manifest as itself" test "$(jq -r .options.seed big/manifest.json)" = $big
check "and in the journal" test "$(head -1 big/journal.jsonl | jq -r .options.seed)" = $big
check "and in every record" test "$(records big | jq -r .meta.seed | sort -u)" = $big
check "the ids too" test "$(records big | jq -r .id | head -1)" = "s$big-000000000"
check "the card shows it" grep -q "| seed | $big |" big/README.md
cp -r big bigk && rm bigk/manifest.json bigk/README.md bigk/train-00002.jsonl
js generate --resume -o bigk --seed $big --quiet --python "$FAKE"; expect_rc 0
check "read back: --resume with the same --seed is no conflict" cmp -s big/train-00002.jsonl bigk/train-00002.jsonl
"$JS" generate --categories seed --format jsonl -n 2 --seed 9223372036854775807 --validate none --quiet -o max63 --python "$FAKE"
check "2^63-1 stays a JSON integer" test "$(jq '.options.seed | type' max63/manifest.json)" = '"number"'

# ---- a shard listed twice is counted once ----
cp -r ref twice
jq '.shards += [.shards[0]]' ref/manifest.json > twice/manifest.json
js stats twice; expect_rc 0
check "stats: 41 records, not 51" grep -q "^records    41 " out.txt
expect_err "skipped the second listing of 'train-00000.jsonl' in manifest.json"

# ---- stats --html over a dataset file ----
sum=$(md5sum < ref/train-00000.jsonl)
js stats ref --html ref/train-00000.jsonl; expect_rc 2
expect_err "\-\-html 'ref/train-00000.jsonl' is a file of the dataset; write the report elsewhere"
check "the shard is untouched" test "$(md5sum < ref/train-00000.jsonl)" = "$sum"
js stats ref --html ref/report.html --quiet; expect_rc 0 # a new file next to the dataset is fine
rm ref/report.html

# ---- 0 records ----
FAKE_WORKER=error=0,error=1,error=2 "$JS" generate --categories seed --format jsonl -n 3 -o none --validate none --quiet --python "$FAKE"
js export none --layout seed -o none_seed; expect_rc 1
expect_err "jitsynth export: 'none' holds no records: nothing exported"
js merge --format jsonl none -o none_merged; expect_rc 1
expect_err "jitsynth merge: no records in 'none': nothing to merge"
check "merge made no output" test ! -e none_merged
js merge --format jsonl ref -o m --zstd-level 5; expect_rc 2
expect_err "\-\-zstd-level needs \-\-format jsonl.zst"

# ---- help generate ----
js help generate; expect_rc 0
"$JS" generate --help > want.txt
check "\`help generate\` prints generate's help" cmp -s out.txt want.txt

# ---- pairs/s after a resume: this process's ----
interrupted rate
js generate --resume -o rate; expect_rc 0
kept=$(tail -1 ref/journal.jsonl | jq .records)
want=$(jq -r --argjson kept "$kept" '(.counts.records - $kept) / .timing.seconds' rate/manifest.json | awk '{ printf "%.1f", $1 }')
check "pairs/s: only the $(( $(jq .counts.records rate/manifest.json) - kept )) pairs made after the resume ($want/s)" \
	grep -q ", $want pairs/s," err.txt

# ---- on a terminal ----
$PTY 40 -1 narrow.out "$JS" generate --categories seed --format jsonl -n 150 -o narrow --validate none --jobs 2
python3 - narrow.out "$(jq .timing.seconds narrow/manifest.json)" <<'EOF' || fail "progress lines"
import re, sys
rows = open(sys.argv[1], "rb").read().decode().split("\r\x1b[K")[1:-1]  # the refreshed rows
assert rows, "no progress line"
wide = [r for r in rows if len(r) > 39]
assert not wide, "rows wider than the 40-column terminal: %r" % wide[:2]
# the first ETA once 10 kernels are stored: start-up left out, it cannot
# exceed the whole run
for r in rows:
    m = re.match(r"(\d+)/\d+ kernels .* ETA (\d+):(\d\d)", r)
    if m and int(m.group(1)) >= 10:
        eta = int(m.group(2)) * 60 + int(m.group(3))
        assert eta <= float(sys.argv[2]) + 1, "ETA %d s in a run of %s s: %r" % (eta, sys.argv[2], r)
        break
else:
    assert False, "no ETA shown: %r" % rows
print("ok: a 40-column terminal: %d rows, none wider; the ETA leaves start-up out" % len(rows))
EOF

# --validate none: kernels are stored one by one (a validating run stores
# a whole compile batch at once, and 400 could all land before the Ctrl-C)
rc=0; $PTY 100 0.3 stop.out "$JS" generate --categories seed --format jsonl -n 600 -o "my data" --jobs 2 --devices cpu --validate none || rc=$?
check "Ctrl-C on a terminal: exit 1" test $rc = 1
tr -d '\r' < stop.out > stop.txt
check "\"stopping\" is shown at once" grep -q "stopping: finishing the kernels in flight" stop.txt
check "the hint quotes the path" grep -q "\`jitsynth generate --resume -o 'my data'\` continues the run" stop.txt
hint=$(sed -n "s/.*\`\(jitsynth generate --resume -o .*\)\` continues the run.*/\1/p" stop.txt)
eval "\"$JS\" ${hint#jitsynth } --quiet" 2>err.txt || { cat err.txt; fail "the hint, as printed, does not resume"; }
check "the hint, run as printed, finishes the run" test "$(jq .complete "my data/manifest.json")" = true
