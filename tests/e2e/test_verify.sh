# test_verify: issue 14, finding 4. `jitsynth verify DIR` checks every file
# against the manifest (and the journal): three flipped bytes, a cut or
# missing shard, an extra one, a shard listed twice, changed rejects, a
# journal that disagrees are each named on one line, exit 1; a good dataset
# (plain, .zst, a killed run's) exits 0. `--resume` runs the same checks on
# the shards it keeps (SHA-256 too) and refuses, changing nothing: a damaged
# kept shard, damaged rejects, a journal cut to its header with finished
# shards after it, a different Warp (a wrapper that reports 9.9.9: nothing of
# it reaches the dataset) or jitsynth version; an older journal without the
# versions still resumes, its Warp taken from the kept records. The
# datasets come from the fake worker (it says Warp 1.19.0), the other Warp
# from a real one: what is tested is the C side's.
source "$(dirname "$0")/lib.sh"
OPTS="-n 45 --seed 5 --shard-size 10 --validate none --jobs 2 --quiet --categories seed --python $FAKE"
export FAKE_WORKER=error=3,error=17,error=33,error=41 # rejects in the journaled prefix and after
"$JS" generate --format jsonl $OPTS -o ref
PY=$ROOT/.venv/bin/python
md5() { cat "$@" | md5sum; }
one_line() { test "$(wc -l < "$1")" = 1; }
# The state of a run killed while it wrote shard 4: the journal lists 0..3.
interrupted() { cp -r ref "$1"; rm "$1"/manifest.json "$1"/README.md "$1"/train-00004.jsonl; }
flip() { printf 'XYZ' | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# ---- verify ----
js verify ref; expect_rc 0
check "a good dataset holds" grep -q "^ref: 5 shards (41 records) and rejects (4 lines) match manifest.json and journal.jsonl$" out.txt
check "and prints nothing on stderr" test ! -s err.txt

cp -r ref flipped; flip flipped/train-00001.jsonl 300
js verify flipped; expect_rc 1
check "three flipped bytes: the shard named, its SHA-256" \
	grep -q "^flipped/train-00001.jsonl: differs from what manifest.json says: SHA-256 " out.txt
check "one mismatch, one line" one_line out.txt
check "stderr: one line that says what to do" grep -q "1 mismatch in 'flipped': restore the files named from a copy" err.txt

cp -r ref several
truncate -s 100 several/train-00000.jsonl
rm several/train-00002.jsonl
cp ref/train-00003.jsonl several/train-00007.jsonl
jq '.shards += [.shards[1]]' ref/manifest.json > several/manifest.json
flip several/rejects.jsonl 10
js verify several; expect_rc 1
check "cut: its size and records" grep -q "^several/train-00000.jsonl: differs from what manifest.json says: 100 bytes, not" out.txt
check "missing" grep -q "^several/train-00002.jsonl: missing (manifest.json lists it)$" out.txt
check "extra" grep -q "^several/train-00007.jsonl: a shard manifest.json does not list$" out.txt
check "listed twice" grep -q "^several/manifest.json: lists 'train-00001.jsonl' more than once" out.txt
check "rejects" grep -q "^several/rejects.jsonl: differs from what manifest.json says" out.txt
check "the journal's rejects too" grep -q "^several/rejects.jsonl: its first [0-9]* bytes differ from what journal.jsonl recorded" out.txt
check "one line each" test "$(wc -l < out.txt)" = 6

cp -r ref journal_off
jq -c 'if .shard == "train-00002.jsonl" then .sha256 = ("0" * 64) else . end' ref/journal.jsonl > journal_off/journal.jsonl
js verify journal_off; expect_rc 1
check "a journal that disagrees with the manifest" \
	grep -q "^journal_off/train-00002.jsonl: journal.jsonl and manifest.json disagree" out.txt

"$JS" generate $OPTS --format jsonl.zst -o zst
js verify zst; expect_rc 0
check ".zst shards: records counted decompressed" grep -q "^zst: 5 shards (41 records)" out.txt

interrupted killed
js verify killed; expect_rc 0
check "a killed run: checked against its journal" grep -q "^killed: 4 shards (40 records) match journal.jsonl; no manifest.json" out.txt

# ---- --resume: the same checks on the shards it keeps ----
interrupted good
js generate --resume -o good --quiet --python "$FAKE"; expect_rc 0
check "(a good interrupted run resumes, identical to the uninterrupted one)" same_as_ref good

interrupted damaged
flip damaged/train-00001.jsonl 300
before=$(md5 damaged/*)
js generate --resume -o damaged --quiet --python "$FAKE"; expect_rc 1
expect_err "cannot resume: damaged/train-00001.jsonl: differs from what the journal says: SHA-256"
expect_err "restore the shard from a copy, or start over with --force"
check "one line" one_line err.txt
check "a damaged shard: nothing changed" test "$(md5 damaged/*)" = "$before"

interrupted cut
head -1 ref/journal.jsonl > cut/journal.jsonl
before=$(md5 cut/*)
js generate --resume -o cut --quiet --python "$FAKE"; expect_rc 1
expect_err "cannot resume: 'cut/train-00001.jsonl' is a finished shard that the journal does not list"
expect_err "\`jitsynth generate --force -o cut\` starts over"
check "a journal cut to its header: no shard deleted" test "$(md5 cut/*)" = "$before"
js generate --format jsonl $OPTS -o cut --force; expect_rc 0
check "--force, as the message says, starts over" same_as_ref cut

interrupted rejects_off
flip rejects_off/rejects.jsonl 10
js generate --resume -o rejects_off --quiet --python "$FAKE"; expect_rc 1
expect_err "cannot resume: the rejects of the finished shards in 'rejects_off/rejects.jsonl' were changed"
interrupted rejects_cut
truncate -s 50 rejects_cut/rejects.jsonl
js generate --resume -o rejects_cut --quiet --python "$FAKE"; expect_rc 1
expect_err "cannot resume: 'rejects_cut/rejects.jsonl' holds 50 bytes, but the finished shards' rejects took"
check "names no internal file" bash -c '! grep -q "\.resume\|\.tmp" err.txt'

# a Python whose Warp says 9.9.9
cat > warp999 <<EOF
#!/bin/sh
[ "\$1" = -u ] && shift
exec "$PY" -u -c 'import runpy, sys, warp; warp.__version__ = "9.9.9"; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")' "\$@"
EOF
chmod +x warp999
"$JS" generate --categories seed --format jsonl -n 3 -o w999 --validate none --quiet --python ./warp999
check "(the wrapper's Warp says 9.9.9)" test "$(jq -r .warp_version w999/manifest.json)" = 9.9.9
interrupted other_warp
before=$(md5 other_warp/*)
js generate --resume -o other_warp --quiet --python ./warp999; expect_rc 1
expect_err "cannot resume: the run in 'other_warp' was made with Warp 1.19.0, but './warp999' imports Warp 9.9.9; resume with a Python that has Warp 1.19.0 (--python PATH), or start over with --force"
check "one line" one_line err.txt
check "another Warp: nothing of it in the dataset" bash -c "! grep -rqF 9.9.9 other_warp"
check "another Warp: no manifest stamped" test ! -e other_warp/manifest.json
check "another Warp: the journaled shards untouched" \
	test "$(md5 other_warp/train-0000[0-3].jsonl)" = "$(md5 ref/train-0000[0-3].jsonl)"
js generate --resume -o other_warp --quiet --python "$FAKE"; expect_rc 0
check "then resumed with the right Warp: identical" same_as_ref other_warp

interrupted other_jitsynth
sed -i '1s/"jitsynth_version":"[^"]*"/"jitsynth_version":"0.0.9"/' other_jitsynth/journal.jsonl
js generate --resume -o other_jitsynth --quiet --python "$FAKE"; expect_rc 1
expect_err "cannot resume: the run in 'other_jitsynth' was started by jitsynth 0.0.9, this is jitsynth"

# a journal from before the versions were recorded: it still resumes, and
# the Warp of its kept records is what a resume must match
interrupted older
jq -c 'del(.jitsynth_version, .warp_version, .rejects_sha256)' ref/journal.jsonl > older/journal.jsonl
check "(an older journal: no versions)" bash -c '! grep -q version older/journal.jsonl'
js generate --resume -o older --quiet --python ./warp999; expect_rc 1
expect_err "was made with Warp 1.19.0, but './warp999' imports Warp 9.9.9"
js generate --resume -o older --quiet --python "$FAKE"; expect_rc 0
check "an older journal resumes: identical" same_as_ref older
