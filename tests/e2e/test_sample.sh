# test_sample: `jitsynth sample` prints kernels without Warp: the requested
# category, deterministic for a seed, different for another seed.
source "$(dirname "$0")/lib.sh"
js sample --category vector -n 3 --seed 7; expect_rc 0
check "three kernels" test "$(grep -c '^@wp.kernel' out.txt)" = 3
check "all vector kernels" test "$(grep -c '(vector)$' out.txt)" = 3
cp out.txt first.txt
js sample --category vector -n 3 --seed 7
check "same seed, same kernels" cmp out.txt first.txt
js sample --category vector -n 3 --seed 8
check "other seed, other kernels" bash -c '! cmp -s out.txt first.txt'
js sample -n 22 --seed 1
check "22 kernels across 11 categories" test "$(grep '^# kernel' out.txt | sed 's/.*(\(.*\))$/\1/' | sort -u | wc -l)" = 11
