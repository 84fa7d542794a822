# test_parts: `generate --part K/N` and the merge of parts, with the fake
# worker (milliseconds): the parts tile the index range; merged in any
# order they are byte for byte the single run's dataset (shards, rejects,
# card, manifest but timing), exact duplicates planted across parts
# dropped by the merge's global dedup, both formats (jsonl.zst, the
# default, and jsonl); a part resumes after
# SIGKILL and refuses another --part; merge refuses parts of different runs,
# a part twice, a gap, an incomplete or killed part, a damaged part, a part
# mixed with a plain dataset, and flags that contradict the run, each in one
# line naming the problem, before it touches the output.
source "$(dirname "$0")/lib.sh"
[ -x "$FAKE" ] || fail "no fake worker at $FAKE (make $FAKE)"
export FAKE_WORKER=error=7,error=60,error=61,error=118
# 40 copies 5 (part 0 -> part 1), 70 copies 41, 100 copies 40 (itself a copy)
export JITSYNTH_TEST_COPY=40:5,70:41,100:40,101:70
OPTS="-n 121 --seed 3 --shard-size 25 --validate none --quiet --python $FAKE --jobs 2"

same_dataset() { # a b [nocard]: every file but the journal (and the card, which
	local f card=README.md # names the directory), the manifest but timing
	[ "${3:-}" = nocard ] && card=
	for f in "$1"/train-* "$1"/rejects.jsonl ${card:+"$1/$card"}; do cmp "$f" "$2/$(basename "$f")" || return 1; done
	test "$(ls "$2" | grep -c '^train-')" = "$(ls "$1" | grep -c '^train-')" &&
		diff <(jq 'del(.timing)' "$1/manifest.json") <(jq 'del(.timing)' "$2/manifest.json")
}
# the card names the directory as given: each dataset is "data" in a dir of its own
mkdir single && (cd single && "$JS" generate $OPTS -o data) || fail "the single run failed"
check "the single run drops the 4 planted duplicates" test "$(jq .counts.dedup.exact single/data/manifest.json)" = 4
for k in 0 1 2 3; do js generate $OPTS --part $k/4 -o p$k; expect_rc 0; done
check "the parts tile 0..121: 31 30 30 30" \
	test "$(for k in 0 1 2 3; do jq -r '.options.part | "\(.first)-\(.end)"' p$k/manifest.json; done | tr '\n' ' ')" = "0-31 31-61 61-91 91-121 "
check "a part counts its own kernels" test "$(jq .counts.kernels p1/manifest.json)" = 30
check "a part keeps its duplicates for the merge" test "$(jq .counts.dedup.exact p3/manifest.json)" = 0
check "a part's card says which part it is" grep -q '^| part (`--part`) | 1/4 (of parts 0..3): kernels 31..60 only' p1/README.md
mkdir merged && (cd merged && "$JS" merge ../p2 ../p0 ../p3 ../p1 -o data >../merge.out) || fail "merge failed"
check "merge reports the parts" grep -q "merged 4 parts: 117 records into 113 in 5 shards, 4 rejects (4 exact" merge.out
check "merged in any order: the single run's dataset" same_dataset single/data merged/data
check "timing names the parts" test "$(jq -c '[.timing.parts[].k]' merged/data/manifest.json)" = "[0,1,2,3]"
check "the merged dataset verifies" "$JS" verify merged/data

# the other format, a part per kernel at the edge (N = n)
O2="-n 5 --seed 4 --validate none --quiet --python $FAKE --jobs 1 --format jsonl --shard-size 2"
mkdir s2 m2 && (cd s2 && "$JS" generate $O2 -o data) || fail "the small run failed"
for k in 0 1 2 3 4; do js generate $O2 --part $k/5 -o q$k; expect_rc 0; done
(cd m2 && "$JS" merge ../q{0,1,2,3,4} -o data >/dev/null) || fail "merge of 5 one-kernel parts failed"
check "plain jsonl, one kernel per part: the single run's dataset" same_dataset s2/data m2/data
js generate $O2 --part 5/5 -o bad; expect_rc 2
expect_err "--part wants K/N with 0 <= K < N"
js generate $O2 --part 0/6 -o bad; expect_rc 2
expect_err "needs at least 6 kernels"

# a part killed and resumed; --resume keeps its part
FAKE_WORKER=$FAKE_WORKER,slow_ms=20 setsid "$JS" generate $OPTS --part 2/4 -o k2 &
pid=$!
for _ in $(seq 500); do [ -s k2/journal.jsonl ] && break; sleep 0.01; done
kill -9 -- -$pid 2>/dev/null || true
wait $pid 2>/dev/null || true
check "the killed part left no manifest" test ! -e k2/manifest.json
js merge p0 p1 k2 p3 -o nope; expect_rc 1
expect_err "'k2' is an unfinished part (no manifest.json: its run was stopped or killed); finish it with \`jitsynth generate --resume -o k2\`"
check "a refused merge writes nothing" test ! -e nope
js generate --resume -o k2 --part 1/4 --python "$FAKE" --quiet; expect_rc 1
expect_err "cannot resume: --part differs from the run in 'k2'"
js generate --resume -o k2 --python "$FAKE" --quiet; expect_rc 0
check "the resumed part is the uninterrupted one" same_dataset p2 k2 nocard

# a part stopped by SIGTERM: complete false
# (the fake worker marks reaching kernel 33: 31 and 32 are answered then)
FAKE_WORKER=$FAKE_WORKER,slow_ms=20,error=33:$WORK/at33 "$JS" generate $OPTS --part 1/4 -o t1 2>/dev/null &
pid=$!
for _ in $(seq 500); do [ -e at33 ] && break; sleep 0.01; done
sleep 0.1
kill -TERM $pid
wait $pid || true
js merge p0 t1 p2 p3 -o nope; expect_rc 1
expect_err "'t1' is an incomplete part (part 1/4: [0-9]* of its 30 kernels stored); finish it with \`jitsynth generate --resume -o t1\`, then merge again"

# parts that do not belong together
js generate ${OPTS/--seed 3/--seed 4} --part 3/4 -o other3; expect_rc 0
js merge p0 p1 p2 other3 -o nope; expect_rc 1
expect_err "'other3' is not from the same run as 'p0': its option seed differs (4, not 3)"
js generate ${OPTS/-n 121/-n 120} --part 3/4 -o short3; expect_rc 0
js merge p0 p1 p2 short3 -o nope; expect_rc 1
expect_err "'short3' is not from the same run as 'p0': its option n differs (120, not 121)"
js generate $OPTS --part 1/3 -o of3; expect_rc 0
js merge p0 of3 p2 p3 -o nope; expect_rc 1
expect_err "'of3' is not from the same run as 'p0': the number of parts differs (3, not 4)"
js merge p0 p1 p1 p2 p3 -o nope; expect_rc 1
expect_err "'p1' and 'p1' are both part 1/4; give each part once"
js merge p0 p1 p3 -o nope; expect_rc 1
expect_err "part 2/4 is missing (3 of the run's 4 parts given); merge needs every part 0..3"
js merge p1 p2 -o nope; expect_rc 1
expect_err "part 0/4 is missing, and more (2 of the run's 4 parts given)"
js merge p0 p1 p2 p3 single/data -o nope; expect_rc 1
expect_err "'single/data' is not a part of a \`generate --part\` run, but 'p0' is"
js merge single/data p0 p1 p2 p3 -o nope; expect_rc 1
expect_err "'single/data' is not a part of a \`generate --part\` run, but 'p0' is"
mkdir empty
js merge p0 p1 empty p3 -o nope; expect_rc 1
expect_err "'empty' holds no finished part (no manifest.json, no journal): the task that makes it failed or never ran"
js merge p0 p1 p2 p3 -o nope --format jsonl; expect_rc 1
expect_err "^jitsynth merge: --format differs from the run whose parts these are ('p0': --format jsonl.zst, --shard-size 25): merging parts writes that run's dataset; drop --format"
js merge p0 p1 p2 p3 -o nope --no-dedup; expect_rc 1
expect_err "drop --no-dedup"
check "no refused merge wrote anything" test ! -e nope
js merge p0 p1 p2 p3 -o same --format jsonl.zst --shard-size 25; expect_rc 0
check "flags that agree with the run are fine" test "$(jq .counts.records same/manifest.json)" = 113

# a damaged part: one byte of a shard changed
cp -r p1 d1
printf 'X' | dd of=d1/train-00000.jsonl.zst bs=1 seek=100 conv=notrunc status=none
js merge p0 d1 p2 p3 -o nope; expect_rc 1
expect_err "part 1/4 in 'd1' is damaged: d1/train-00000.jsonl.zst: "
expect_err "make the part again (\`jitsynth verify d1\` lists every problem)"

# a merge of merged parts and a plain dataset: the ordinary merge
js merge merged/data single/data -o both; expect_rc 0
check "the plain merge still joins datasets (all duplicates)" test "$(jq .counts.records both/manifest.json)" = 113
