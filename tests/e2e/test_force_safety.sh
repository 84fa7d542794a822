# test_force_safety: issue 14, finding 5. --force and --resume remove only
# what the dataset's own manifest or journal lists (and jitsynth's own
# temporaries and lock, by their exact names), never a file of the user's: a
# project directory (README.md, train-mydata.jsonl.bak, train-config.
# jsonlines, .bashrc.tmp, .vim.tmp.swp, src/) is refused whole, with one line
# naming a foreign file, with or without --force, by generate and merge; so
# is a dataset that holds a file it did not write, or a README.md that is
# not its card, or a shard-like file beyond its run. A dataset of its own,
# leftovers and all, is replaced; a failed refusal changes nothing. The
# kernels come from the fake worker: what is tested is the C side's.
source "$(dirname "$0")/lib.sh"
OPTS="-n 25 --seed 3 --shard-size 10 --validate none --jobs 2 --quiet --categories seed --python $FAKE"
md5() { (cd "$1" && find . -type f | sort | xargs md5sum); }
one_line() { test "$(wc -l < err.txt)" = 1; }

# ---- a project directory, as in a git checkout ----
mkdir -p proj/src
echo "# my project" > proj/README.md
echo "data" > proj/train-mydata.jsonl.bak
echo "cfg" > proj/train-config.jsonlines
echo "x" > proj/.bashrc.tmp
echo "x" > proj/.vim.tmp.swp
echo "int main;" > proj/src/main.c
before=$(md5 proj)
for force in "" --force; do
	js generate --format jsonl $OPTS -o proj $force; expect_rc 1
	expect_err "'proj' holds '"
	expect_err "which jitsynth did not write; jitsynth writes only into an empty directory or one of its own datasets: choose another -o"
	check "generate ${force:-(no --force)}: refused in one line" one_line
	check "generate ${force:-(no --force)}: every file of the project untouched" test "$(md5 proj)" = "$before"
done
rc=0; (cd proj && "$JS" generate --format jsonl $OPTS -o . --force >../out.txt 2>../err.txt) || rc=$?; expect_rc 1
expect_err "'.' holds '"
check "-o . --force in the project: refused, untouched" test "$(md5 proj)" = "$before"

"$JS" generate --format jsonl $OPTS -o ref
js merge --format jsonl ref -o proj --force; expect_rc 1
expect_err "jitsynth merge: 'proj' holds '"
check "merge --force into the project: untouched" test "$(md5 proj)" = "$before"

# ---- a dataset holding a file that is not its own ----
cp -r ref mixed
echo "my notes" > mixed/notes.txt
before=$(md5 mixed)
js generate --format jsonl $OPTS -o mixed --force; expect_rc 1
expect_err "'mixed' holds 'notes.txt', which jitsynth did not write"
check "refused whole: the dataset and the foreign file untouched" test "$(md5 mixed)" = "$before"
rm mixed/notes.txt
js generate --format jsonl $OPTS --seed 4 -o mixed --force; expect_rc 0
check "once it is moved away, --force replaces the dataset" test "$(jq .options.seed mixed/manifest.json)" = 4

cp -r ref card
echo "# not jitsynth's" > card/README.md
js generate --format jsonl $OPTS -o card --force; expect_rc 1
expect_err "'card' holds 'README.md', which jitsynth did not write"
check "a README.md that is not its card: kept" test "$(cat card/README.md)" = "# not jitsynth's"

cp -r ref beyond
cp ref/train-00000.jsonl beyond/train-00099.jsonl
js generate --format jsonl $OPTS -o beyond --force; expect_rc 1
expect_err "'beyond' holds 'train-00099.jsonl', which jitsynth did not write"

# ---- a dataset of its own, with its leftovers, is replaced ----
cp -r ref own
touch own/.train-00003.jsonl.tmp own/.manifest.json.tmp own/.journal.jsonl.tmp own/.README.md.tmp \
	own/.rejects.jsonl.tmp own/.rejects.jsonl.resume
echo 999999999 > own/.jitsynth.lock
js generate --format jsonl $OPTS --seed 6 -o own --force; expect_rc 0
check "--force: the old dataset and its leftovers gone, the new one whole" \
	test "$(ls -A own | tr '\n' ' ')" = "README.md journal.jsonl manifest.json rejects.jsonl train-00000.jsonl train-00001.jsonl train-00002.jsonl "
js verify own; expect_rc 0

"$JS" generate $OPTS --format jsonl.zst -o zst
js generate --format jsonl $OPTS -o zst --force; expect_rc 0
check "--force over another format: the old .zst shards were its own" test -z "$(ls zst | grep zst$)"

# a run killed before its manifest: the journal's run names its shards
cp -r ref killed
rm killed/manifest.json
head -1 ref/journal.jsonl > killed/journal.jsonl
js generate --format jsonl $OPTS --seed 8 -o killed --force; expect_rc 0
check "--force over a killed run whose journal lists no shard: replaced" test "$(jq .options.seed killed/manifest.json)" = 8

# ---- --resume ----
cp -r ref res
rm res/manifest.json res/README.md res/train-00002.jsonl
echo "my notes" > res/notes.txt
before=$(md5 res)
js generate --resume -o res --quiet --python "$FAKE"; expect_rc 1
expect_err "cannot resume: 'res' holds 'notes.txt', which jitsynth did not write; move it out of the directory, then resume"
check "resume: nothing removed" test "$(md5 res)" = "$before"
rm res/notes.txt
js generate --resume -o res --quiet --python "$FAKE"; expect_rc 0
check "resume, once it is moved away: identical" same_as_ref res

# ---- merge --force replaces its own output, nothing else ----
js merge --format jsonl ref -o merged; expect_rc 0
js merge --format jsonl ref -o merged --force --shard-size 5; expect_rc 0
check "merge --force over a merge: its shards replaced" test "$(ls merged | grep -c '^train-')" = 5
js verify merged; expect_rc 0
