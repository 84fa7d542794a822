# test_gen_profiles: the profiles beyond the seed 11 (matrix, transform,
# struct, func, random, bitwise, while_break, multi_dim) through Warp's real
# code generator on both devices: < 0.5% rejects, every profile present.
source "$(dirname "$0")/lib.sh"
N=${N:-400}
CATS=matrix,transform,struct,func,random,bitwise,while_break,multi_dim
js generate -n $N -o ds --seed 11 --quiet --validate none --categories $CATS
expect_rc 0
records ds > all.jsonl
n=$(wc -l < all.jsonl)
nrej=$(wc -l < ds/rejects.jsonl)
[ "$nrej" = 0 ] || jq -r '.category + ": " + .reason' ds/rejects.jsonl | head -5
check "rejects < 0.5% ($nrej of $N)" test $((nrej * 200)) -lt $N
check "8 profiles present" test "$(jq -r .category all.jsonl | sort -u | wc -l)" = 8
check "helpers and structs reach the IR" test "$(jq -r 'select(.category == "func" or .category == "struct") | .ir.cpu.module' all.jsonl | grep -c 'CUDA_CALLABLE')" -gt 0
