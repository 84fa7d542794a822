# test_sample: `jitsynth sample` prints kernels without Warp: the requested
# category, deterministic for a seed, different for another seed; by default
# every profile in the realistic style, with `--category seed` the seed's 11
# categories in the synthetic style.
source "$(dirname "$0")/lib.sh"
js sample --category vector -n 3 --seed 7; expect_rc 0
check "three kernels" test "$(grep -c '^@wp.kernel' out.txt)" = 3
check "all vector kernels" test "$(grep -c '(vector)$' out.txt)" = 3
cp out.txt first.txt
js sample --category vector -n 3 --seed 7
check "same seed, same kernels" cmp out.txt first.txt
js sample --category vector -n 3 --seed 8
check "other seed, other kernels" bash -c '! cmp -s out.txt first.txt'
cats() { grep '^# kernel' out.txt | sed 's/.*(\(.*\))$/\1/' | sort -u | wc -l; }
js sample -n 22 --seed 1 --category seed
check "--category seed: 22 kernels across 11 categories" test "$(cats)" = 11
cp out.txt seed.txt
js sample -n 22 --seed 1 --category seed --style synthetic
check "--category seed: the synthetic style" cmp out.txt seed.txt
check "--category seed: no subscript annotation (synthetic)" bash -c '! grep -q "wp.array\[" seed.txt'
js sample -n 48 --seed 1
check "default: 48 kernels across all 24 profiles" test "$(cats)" = 24
cp out.txt default.txt
js sample -n 48 --seed 1 --category all --style realistic
check "default: every profile in the realistic style" cmp out.txt default.txt
check "default: subscript annotations (realistic)" grep -q "wp.array\[" default.txt
js sample -n 22 --seed 1 --category seed --style realistic
check "--category seed --style realistic: the seed's 11 categories, realistic" test "$(cats)" = 11
check "--category seed --style realistic: not the synthetic text" bash -c '! cmp -s out.txt seed.txt'
