# test_gen_profiles: the profiles beyond the seed 11 (matrix, transform,
# struct, func, random, bitwise, while_break, multi_dim, quaternion, geometry,
# tile, dtypes, linalg) through Warp's real code generator on both devices:
# < 0.5% rejects overall, none at all for the quaternion, geometry, tile,
# dtypes and linalg profiles, every profile present, the types beyond the
# shared grammar (int8..uint64, float16, indexed and fabric arrays, 4-D
# arrays, non-square and spatial matrices, struct array fields, overloaded
# helpers) accepted by Warp; --max-stmts and --max-depth reach the generator.
# flavours: release
source "$(dirname "$0")/lib.sh"
N=${N:-520}
CATS=matrix,transform,struct,func,random,bitwise,while_break,multi_dim,quaternion,geometry,tile,dtypes,linalg
js generate --format jsonl -n $N -o ds --seed 11 --quiet --validate none --categories $CATS --style synthetic
expect_rc 0
records ds > all.jsonl
n=$(wc -l < all.jsonl)
nrej=$(wc -l < ds/rejects.jsonl)
[ "$nrej" = 0 ] || jq -r '.category + ": " + .reason' ds/rejects.jsonl | head -5
check "rejects < 0.5% ($nrej of $N)" test $((nrej * 200)) -lt $N
check "13 profiles present" test "$(jq -r .category all.jsonl | sort -u | wc -l)" = 13
for cat in quaternion geometry tile dtypes linalg; do
	check "$cat: $(jq -r "select(.category == \"$cat\")" all.jsonl | jq -s length) records, 0 rejects" \
		test "$(jq -r "select(.category == \"$cat\") | .id" ds/rejects.jsonl | wc -l)" = 0
done
check "helpers and structs reach the IR" test "$(jq -r 'select(.category == "func" or .category == "struct") | .ir.cpu.module' all.jsonl | grep -c 'CUDA_CALLABLE')" -gt 0
check "tile kernels reach the CUDA IR as tiles" test "$(jq -r 'select(.category == "tile") | .ir.cuda.forward' all.jsonl | grep -c 'tile_load')" -gt 0
# has KIND PATTERN: records (of every kind) whose Python source matches
has() { jq -r '.python_source | @json' all.jsonl | grep -c -- "$1" || true; }
for p in 'wp.int8)' 'wp.uint16)' 'wp.int64)' 'wp.uint64)' 'wp.float16' 'wp.indexedarray' 'wp.fabricarray' \
	'wp.array4d(' 'i, j, k, l = wp.tid()' 'wp.types.matrix(shape=' 'wp.spatial_adjoint(' 'wp.identity(n=6' \
	'wp.cast(' 'wp.block_dim()' 'wp.printf(' 'table: wp.array(dtype=float)'; do
	check "accepted by Warp: $(has "$p") kernels with $p" test "$(has "$p")" -gt 0
done
ov=$(jq -r 'select(.category == "func") | [.python_source | scan("\ndef ([a-z_0-9]+)\\(")[0]] | length > (unique | length)' \
	all.jsonl | grep -c true || true)
check "accepted by Warp: $ov kernels with an overloaded helper" test "$ov" -gt 0

# the size budget: recorded in the manifest, obeyed by every kernel
js generate --format jsonl -n 44 -o small --seed 12 --quiet --validate none --categories all --style synthetic --max-stmts 2 --max-depth 1
expect_rc 0
check "manifest records the size budget" test "$(jq -c '[.options.max_stmts, .options.max_depth]' small/manifest.json)" = "[2,1]"
check "all: every profile" test "$(jq -r '.options.categories | length' small/manifest.json)" = 24
check "small kernels compile too" test "$(wc -l < small/rejects.jsonl)" = 0
for bad in 0 -1 x; do
	js generate --format jsonl -n 5 -o x --max-stmts "$bad"; expect_rc 2
	js sample --max-depth "$bad"; expect_rc 2
done

# --weights FILE: recorded in the manifest and the journal, read back by
# --resume (a run whose last shard is undone resumes to the same shards),
# a different file refused on resume, a bad file a usage error
printf '# more branches, no atomics\n*.if = 100\n*.atomic = 0\n' > more-if.cfg
printf '*.if = 0\n' > no-if.cfg
js generate --categories seed --format jsonl -n 40 -o wr --seed 8 --shard-size 10 --validate none --quiet --weights more-if.cfg; expect_rc 0
check "manifest records the weights" test "$(jq -c '.options.weights.loop' wr/manifest.json)" = '{"atomic":0,"if":100}'
js generate --categories seed --format jsonl -n 40 -o plain --seed 8 --shard-size 10 --validate none --quiet; expect_rc 0
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
js generate --format jsonl -n 5 -o x --weights bad.cfg; expect_rc 2
expect_err "weights file 'bad.cfg', line 2: unknown statement kind 'bogus'"
js sample --weights "$WORK/nonexistent.cfg"; expect_rc 2
expect_err "cannot read weights file"
