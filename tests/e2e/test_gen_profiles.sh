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
