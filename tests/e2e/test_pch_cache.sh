# test_pch_cache: the builtin.h PCH kept between runs (src/validate/
# pchcache.h). The first validating run builds one entry (the PCH and its
# digest) in JITSYNTH_CACHE_DIR; later runs use it without building again
# and give byte-identical datasets, as does a run with the cache off. A
# damaged entry is dropped and rebuilt, never used; a cache directory that
# others can write is not used at all; a stage left by a killed run goes
# once it is old, a live one's stays; two first runs at once leave one entry.
# The run tier's clang PCH is warm: its entry also holds the library of
# the code the PCH's users leave out, covered by the digest (a damaged one
# is rebuilt), and the records are the same with the cache off.
source "$(dirname "$0")/lib.sh"
OPTS="--format jsonl -n 4 --seed 3 --quiet --devices cpu --jobs 1 --categories seed"
export JITSYNTH_CACHE_DIR=$WORK/cache
entries() { ls -d "$1"/pch-* 2>/dev/null | wc -l; }
gch() { echo "$(ls -d "$1"/pch-*)/builtin.h.gch"; }

"$JS" generate $OPTS -o ref --validate syntax
check "the first run made one entry" test "$(entries cache)" = 1
check "... holding the PCH" test -s "$(gch cache)"
check "... and its digest" test -s "$(dirname "$(gch cache)")/builtin.h.gch.xxh3"
check "no stage left" test -z "$(ls -d cache/stage-* 2>/dev/null)"
check "cache entries are private" test "$(stat -c %a cache "$(dirname "$(gch cache)")" | sort -u)" = 700
built=$(stat -c %Y.%i "$(gch cache)")

js generate $OPTS -o again --validate syntax; expect_rc 0
check "the second run used the entry (not rebuilt)" test "$(stat -c %Y.%i "$(gch cache)")" = "$built"
check "... and gave the same dataset" same_as_ref again

JITSYNTH_CACHE_DIR=off js generate $OPTS -o off --validate syntax; expect_rc 0
check "cache off: the same dataset" same_as_ref off

# a damaged entry: bytes of the PCH overwritten in place
printf 'jitsynth-damage' | dd of="$(gch cache)" bs=1 seek=4096 conv=notrunc status=none
js generate $OPTS -o damaged --validate syntax; expect_rc 0
check "damaged entry: the same dataset" same_as_ref damaged
check "damaged entry: rebuilt" bash -c "! grep -q jitsynth-damage '$(gch cache)'"
rebuilt=$(stat -c %Y.%i "$(gch cache)")
js generate $OPTS -o after --validate syntax; expect_rc 0
check "the rebuilt entry is used" test "$(stat -c %Y.%i "$(gch cache)")" = "$rebuilt"
check "... with the same dataset" same_as_ref after
check "still one entry" test "$(entries cache)" = 1

# a cache that others could write is not used
mkdir -m 0777 open
JITSYNTH_CACHE_DIR=$WORK/open js generate $OPTS -o open-run --validate syntax; expect_rc 0
check "a world-writable cache dir gets no entry" test "$(entries open)" = 0
check "... and the run is the same" same_as_ref open-run
mkdir -m 0700 target
ln -s "$WORK/target" linked
JITSYNTH_CACHE_DIR=$WORK/linked js generate $OPTS -o linked-run --validate syntax; expect_rc 0
check "a cache dir reached through a symlink gets no entry" test "$(entries target)" = 0
check "... and the run is the same" same_as_ref linked-run

# stages of killed runs: an old one goes, a recent one (a live build) stays
mkdir -m 0700 c2 c2/stage-x-old c2/stage-x-live
touch -d '20 minutes ago' c2/stage-x-old
JITSYNTH_CACHE_DIR=$WORK/c2 js generate $OPTS -o c2-run --validate syntax; expect_rc 0
check "an old stage is removed" test ! -e c2/stage-x-old
check "a recent stage is left alone" test -d c2/stage-x-live
check "one entry made" test "$(entries c2)" = 1

# two first runs at once
JITSYNTH_CACHE_DIR=$WORK/c3 "$JS" generate $OPTS -o both1 --validate syntax &
p1=$!
JITSYNTH_CACHE_DIR=$WORK/c3 "$JS" generate $OPTS -o both2 --validate syntax &
p2=$!
wait $p1 && wait $p2
check "two runs at once: one entry" test "$(entries c3)" = 1
check "... no stage left" test -z "$(ls -d c3/stage-* 2>/dev/null)"
check "... both datasets the same" bash -c "$(declare -f same_as_ref); same_as_ref both1 && same_as_ref both2"
check "no validator temp dir left in TMPDIR" test -z "$(scratch_dirs)"

# the run tier's warm PCH (clang; validate/cxx.h)
command -v clang++-16 >/dev/null || fail "clang++-16 is not installed (scripts/setup.sh installs it)"
ROPTS="--format jsonl -n 8 --seed 3 --quiet --devices cpu --jobs 1 --categories all --validate run"
export JITSYNTH_CACHE_DIR=$WORK/c4
js generate $ROPTS -o run1; expect_rc 0
lib=$(ls c4/pch-*/libjswarm.so)
check "the run tier's entry holds the warm PCH's library" test -s "$lib"
check "... and the digest covers it" grep -qE '^[0-9a-f]{16} [0-9a-f]{16}$' "$(dirname "$lib")/builtin.h.gch.xxh3"
printf 'jitsynth-damage' | dd of="$lib" bs=1 seek=4096 conv=notrunc status=none
js generate $ROPTS -o run2; expect_rc 0
check "a damaged library: the entry is rebuilt" bash -c "! grep -q jitsynth-damage '$lib'"
check "... and the records are the same" cmp run1/train-00000.jsonl run2/train-00000.jsonl
JITSYNTH_CACHE_DIR=off js generate $ROPTS -o run3; expect_rc 0
check "cache off: the same records" cmp run1/train-00000.jsonl run3/train-00000.jsonl
check "no validator temp dir left in TMPDIR (run tier)" test -z "$(scratch_dirs)"
