# test_stats: `jitsynth stats` on a real dataset, plain and .jsonl.zst
# (through merge), and on a damaged one: counts match the shards, malformed
# lines are named by file and line and skipped, bad usage exits 2. On a
# dataset of every profile with planted rejects, stats' generator metrics
# (catalog coverage per group, statements, nesting depth, reject reasons)
# equal the manifest's "metrics" that generate wrote.
source "$(dirname "$0")/lib.sh"
js generate --categories seed --format jsonl -n 110 -o ds --seed 3 --quiet; expect_rc 0
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

# --- stats' metrics against the manifest's ---
JITSYNTH_TEST_REJECT=4,30,55 js generate --format jsonl -n 66 -o mx --seed 8 --categories all --style synthetic --validate none --quiet; expect_rc 0
js stats mx; expect_rc 0
cp out.txt mx.txt
m=mx/manifest.json
same_num() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'; }
# the summary table: "  statements | nesting depth   kernels mean p50 p90 max"
for k in statements:statements "nesting depth:nesting_depth"; do
	label=${k%%:*} key=${k#*:}
	read -r kern mean max < <(sed -n "s/^  $label  *\([0-9]*\) *\([0-9.]*\) *[0-9]* *[0-9]* *\([0-9]*\)\$/\1 \2 \3/p" mx.txt)
	check "$label: kernels ${kern:-?} as in the manifest" test "${kern:-x}" = "$(jq ".metrics.$key.kernels" $m)"
	check "$label: mean ${mean:-?} as in the manifest" same_num "${mean:-x}" "$(jq ".metrics.$key.mean" $m)"
	check "$label: max ${max:-?} as in the manifest" test "${max:-x}" = "$(jq ".metrics.$key.max" $m)"
	# every histogram row ("lo-hi  bar  kernels") sums the manifest's counts
	rows=0
	while read -r range cnt; do
		lo=${range%-*} hi=${range#*-}
		want=$(jq "[.metrics.$key.counts[$lo:$hi + 1][]] | add // 0" $m)
		[ "$cnt" = "$want" ] || fail "$label histogram row $range: $cnt kernels, manifest says $want"
		rows=$((rows + 1))
	done < <(sed -n "/^$label per kernel/,/^\$/{/^  [0-9]/p}" mx.txt | awk '{ print $1, $NF }')
	check "$label: $rows histogram rows equal the manifest's counts" test "$rows" -gt 0
done
check "kernels measured: every record" test "$(jq .metrics.statements.kernels $m)" = "$(records mx | wc -l)"
check "some kernel has a block (depth >= 1)" test "$(jq .metrics.nesting_depth.max $m)" -ge 1
# catalog coverage: the total line and one row per group
check "catalog total as in the manifest" grep -q "^catalog coverage (Warp 1\.19\.0 builtins): $(jq .metrics.builtins.used $m) of $(jq .metrics.builtins.catalog_size $m) distinct used" mx.txt
check "catalog rows per group equal the manifest's" diff \
	<(sed -n '/^catalog coverage/,/^$/{s/^  \(.*[^ ]\)  *\([0-9][0-9]*\) \/ \([0-9][0-9]*\)  *[0-9.]*%$/\1 \2 \3/p}' mx.txt | sort) \
	<(jq -r '.metrics.builtins.groups | to_entries[] | "\(.key) \(.value.used) \(.value.size)"' $m | sort)
# reject reasons
check "3 planted rejects in the manifest's reasons" test "$(jq '[.metrics.rejects_by_reason[]] | add' $m)" = 3
check "reject reasons equal the manifest's" diff \
	<(sed -n '/^reject reason/,/^$/{s/^  \(.*[^ ]\)  *\([0-9][0-9]*\)  *[0-9.]*%$/\1 \2/p}' mx.txt | sort) \
	<(jq -r '.metrics.rejects_by_reason | to_entries[] | "\(.key) \(.value)"' $m | sort)

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
