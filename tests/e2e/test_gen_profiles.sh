# test_gen_profiles: the profiles beyond the seed 11 (matrix, transform,
# struct, func, random, bitwise, while_break, multi_dim, quaternion, geometry,
# tile) through Warp's real code generator on both devices: < 0.5% rejects
# overall, none at all for the quaternion, geometry and tile profiles, every
# profile present; --max-stmts and --max-depth reach the generator.
source "$(dirname "$0")/lib.sh"
N=${N:-440}
CATS=matrix,transform,struct,func,random,bitwise,while_break,multi_dim,quaternion,geometry,tile
js generate -n $N -o ds --seed 11 --quiet --validate none --categories $CATS
expect_rc 0
records ds > all.jsonl
n=$(wc -l < all.jsonl)
nrej=$(wc -l < ds/rejects.jsonl)
[ "$nrej" = 0 ] || jq -r '.category + ": " + .reason' ds/rejects.jsonl | head -5
check "rejects < 0.5% ($nrej of $N)" test $((nrej * 200)) -lt $N
check "11 profiles present" test "$(jq -r .category all.jsonl | sort -u | wc -l)" = 11
for cat in quaternion geometry tile; do
	check "$cat: $(jq -r "select(.category == \"$cat\")" all.jsonl | jq -s length) records, 0 rejects" \
		test "$(jq -r "select(.category == \"$cat\") | .id" ds/rejects.jsonl | wc -l)" = 0
done
check "helpers and structs reach the IR" test "$(jq -r 'select(.category == "func" or .category == "struct") | .ir.cpu.module' all.jsonl | grep -c 'CUDA_CALLABLE')" -gt 0
check "tile kernels reach the CUDA IR as tiles" test "$(jq -r 'select(.category == "tile") | .ir.cuda.forward' all.jsonl | grep -c 'tile_load')" -gt 0

# the size budget: recorded in the manifest, obeyed by every kernel
js generate -n 44 -o small --seed 12 --quiet --validate none --categories all --max-stmts 2 --max-depth 1
expect_rc 0
check "manifest records the size budget" test "$(jq -c '[.options.max_stmts, .options.max_depth]' small/manifest.json)" = "[2,1]"
check "all: every profile" test "$(jq -r '.options.categories | length' small/manifest.json)" = 22
check "small kernels compile too" test "$(wc -l < small/rejects.jsonl)" = 0
for bad in 0 -1 x; do
	js generate -n 5 -o x --max-stmts "$bad"; expect_rc 2
	js sample --max-depth "$bad"; expect_rc 2
done

# --weights FILE: recorded in the manifest and the journal, read back by
# --resume (a run whose last shard is undone resumes to the same shards),
# a different file refused on resume, a bad file a usage error
printf '# more branches, no atomics\n*.if = 100\n*.atomic = 0\n' > more-if.cfg
printf '*.if = 0\n' > no-if.cfg
js generate -n 40 -o wr --seed 8 --shard-size 10 --validate none --quiet --weights more-if.cfg; expect_rc 0
check "manifest records the weights" test "$(jq -c '.options.weights.loop' wr/manifest.json)" = '{"atomic":0,"if":100}'
js generate -n 40 -o plain --seed 8 --shard-size 10 --validate none --quiet; expect_rc 0
check "weights change the kernels" test "$(cat wr/train-*.jsonl | md5sum)" != "$(cat plain/train-*.jsonl | md5sum)"
cp -r wr wr.ref
rm wr/manifest.json wr/train-00003.jsonl
head -n -1 wr/journal.jsonl > j && mv j wr/journal.jsonl
mv wr/rejects.jsonl wr/.rejects.jsonl.tmp
js generate --resume -o wr --quiet --weights no-if.cfg; expect_rc 1
expect_err "cannot resume: --weights differs from the run in 'wr'"
js generate --resume -o wr --quiet; expect_rc 0
for f in wr.ref/train-*.jsonl; do
	check "resumed with the journal's weights: $(basename $f) identical" cmp "$f" "wr/$(basename $f)"
done
printf 'loop.if = 1\nloop.bogus = 3\n' > bad.cfg
js generate -n 5 -o x --weights bad.cfg; expect_rc 2
expect_err "weights file 'bad.cfg', line 2: unknown statement kind 'bogus'"
js sample --weights "$WORK/nonexistent.cfg"; expect_rc 2
expect_err "cannot read weights file"
