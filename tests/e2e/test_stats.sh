# test_stats: `jitsynth stats` on a real dataset, plain and .jsonl.zst
# (through merge), and on a damaged one: counts match the shards, malformed
# lines are named by file and line and skipped, bad usage exits 2.
source "$(dirname "$0")/lib.sh"
js generate -n 110 -o ds --seed 3 --quiet; expect_rc 0
n=$(records ds | wc -l)

js stats ds; expect_rc 0
cp out.txt plain.txt
check "records line counts the shards ($n)" grep -q "^records    $n " out.txt
check "all 11 categories listed, 10 each" test "$(grep -cE '^  (arithmetic|conditional|loop|math|vector|atomic|nested|multi_cond|combined|scalar_param|random_math) +10 +9\.1%$' out.txt)" = 11
check "length table" grep -q "^  Python chars" out.txt
check "builtins table with wp.tid" grep -qE "wp\.tid +$n " out.txt
check "validation outcomes" grep -q "cpu: syntax" out.txt
check "uniqueness line" grep -q "^uniqueness" out.txt
check "catalog coverage against Warp's own table" grep -qE "^catalog coverage \(Warp 1\.19\.0 builtins\): [0-9]+ of 3[0-9][0-9] distinct used" out.txt
used=$(sed -n 's/^  Scalar Math  *\([0-9]*\) \/ .*/\1/p' out.txt)
check "Scalar Math builtins reached (${used:-none} >= 10)" test "${used:-0}" -ge 10

js merge ds -o dz --format jsonl.zst --no-dedup; expect_rc 0
check "zst shard written" test -f dz/train-00000.jsonl.zst
js stats dz; expect_rc 0
check "same figures from .jsonl.zst" diff <(sed -n '/^category/,/^rejects/p' plain.txt) <(sed -n '/^category/,/^rejects/p' out.txt)

# damage: a truncated line and a non-record line in a copy
mkdir bad && cp ds/train-00000.jsonl bad/ && cp ds/rejects.jsonl bad/
printf '{"truncated": \n[1,2]\n' >> bad/train-00000.jsonl
js stats bad; expect_rc 0
check "invalid JSON named by file and line" grep -q "train-00000.jsonl:$((n + 1)): invalid JSON" err.txt
check "non-record named by file and line" grep -q "train-00000.jsonl:$((n + 2)): not a JSON object" err.txt
check "good records still counted" grep -q "^records    $n " out.txt
# damage: a corrupt zstd shard
mkdir badz && head -c 3000 dz/train-00000.jsonl.zst > badz/train-00000.jsonl.zst
js stats badz; expect_rc 0
check "truncated zstd reported" grep -qE "train-00000.jsonl.zst: (truncated|corrupt)" err.txt

js stats; expect_rc 2
js stats nosuchdir; expect_rc 1
expect_err "cannot open 'nosuchdir'"
mkdir empty
js stats empty; expect_rc 1
expect_err "holds no dataset"
js stats ds --bogus; expect_rc 2
