# test_eval: `jitsynth eval DIR CANDIDATES.jsonl` (pipeline/eval.c). Warp's
# own cpu.forward passes on every record, on three input sets; candidates
# planted wrong (tests/helper/plant_candidates.py: an operator swapped, a
# constant changed, a store of zeros, a copy of an input, a crash, an
# endless loop, one that does not compile) are each caught and reported with
# their reason while the rest run; --json gives the same verdicts.
source "$(dirname "$0")/lib.sh"
js generate --format jsonl -n 14 -o ds --quiet --validate run --devices cpu --categories all --style synthetic -j 2 --no-dedup; expect_rc 0
python3 "$ROOT/tests/helper/plant_candidates.py" ds/train-00000.jsonl cand.jsonl >planted.txt
[ "$(wc -l <planted.txt)" = 7 ] || fail "expected 7 planted candidates, got: $(cat planted.txt)"
JITSYNTH_TEST_EXEC_WALL=2 js eval ds cand.jsonl; expect_rc 1
while read -r kind id; do
	check "planted $kind candidate ($id) is caught" grep -q "^$id .* WRONG " out.txt
done <planted.txt
id_of() { awk -v k="$1" '$1 == k { print $2 }' planted.txt; }
check "the crash is named" grep -q "^$(id_of crash) .*crashed with SIGSEGV" out.txt
check "the endless loop is named" grep -q "^$(id_of loop) .*ran past the 2 s wall-clock limit" out.txt
check "the zero store is shown against Warp's value" grep -q "^$(id_of zeros) .*= 0.0, Warp's is" out.txt
check "the broken candidate does not compile" grep -Eq "^$(id_of syntax) +[a-z_0-9]+ +- +WRONG +does not build" out.txt
check "every unplanted candidate (Warp's own forward) is correct" \
	test "$(grep -c ' correct *$' out.txt)" = 7
check "totals" grep -q "^total      14 candidates: compiled 13 (92.9%), correct 7 (50.0%)" out.txt

# Warp's own forward for one planted record alone, as JSON
jq -c --arg i "$(id_of crash)" 'select(.id == $i) | {id, cpu_forward: .ir.cpu.forward}' ds/train-00000.jsonl >own.jsonl
js eval ds own.jsonl --json; expect_rc 0
check "json: the record's own forward is correct" test "$(jq '.results[0].correct and .pass_rate == 1' out.txt)" = true
