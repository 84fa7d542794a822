# test_gen_compilers: kernel i is a pure function of (seed, i, options),
# whatever compiler builds jitsynth. C leaves unspecified the order in which
# a call's arguments, an operator's operands and an initializer list's
# elements are evaluated, so two random draws in one expression make a
# clang-built generator emit other kernels than a gcc-built one. The generator
# (src/common, src/gen) and a small driver are built with gcc and clang, -O2
# and -O0; all four print the same kernels as `jitsynth sample`, for every
# profile and the seed ones, with and without --max-stmts/--max-depth, in
# the synthetic style and the realistic one (the default).
# flavours: release
source "$(dirname "$0")/lib.sh"
N=${N:-8000}
command -v clang >/dev/null || fail "clang is not installed: the test builds the generator with it"

# drv SEED N ALL MAX_STMTS MAX_DEPTH REALISTIC: kernels 0..N-1 as `jitsynth sample` prints them
cat >drv.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "gen/gen.h"
int main(int argc, char **argv)
{
	if (argc != 7)
		return 2;
	gen_options o = {.seed = strtoull(argv[1], NULL, 10), .categories = atoi(argv[3]) ? GEN_ALL_MASK : 0,
	                 .max_stmts = atoi(argv[4]), .max_depth = atoi(argv[5]),
	                 .style = atoi(argv[6]) ? GEN_STYLE_REALISTIC : GEN_STYLE_SYNTHETIC};
	gen_kernel k = {0};
	for (unsigned long long i = 0, n = strtoull(argv[2], NULL, 10); i < n; i++) {
		gen_kernel_make(&o, i, &k);
		printf("# kernel %llu: %s (%s)\n", i, k.name, gen_category_name(k.category));
		fwrite(k.source.data, 1, k.source.len, stdout);
		putchar('\n');
	}
	gen_kernel_free(&k);
	return 0;
}
EOF
builds=(gcc-O2 gcc-O0 clang-O2 clang-O0)
pids=()
for b in "${builds[@]}"; do
	${b%-*} -std=c11 -D_GNU_SOURCE -I"$ROOT/src" -${b#*-} -o "$b" \
		"$ROOT"/src/common/*.c "$ROOT"/src/gen/*.c drv.c -lm 2>"$b.log" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { cat "${builds[$i]}.log" >&2; fail "cannot build the generator with ${builds[$i]}"; }
done

same() { # seed all max_stmts max_depth realistic: every build prints what $JS sample prints
	local opts=(-n "$N" --seed "$1")
	[ "$2" = 1 ] && opts+=(--categories all) || opts+=(--categories seed)
	[ "$5" = 1 ] && opts+=(--style realistic) || opts+=(--style synthetic)
	[ "$3" != 0 ] && opts+=(--max-stmts "$3")
	[ "$4" != 0 ] && opts+=(--max-depth "$4")
	"$JS" sample "${opts[@]}" >js.txt
	for b in "${builds[@]}"; do
		"./$b" "$1" "$N" "$2" "$3" "$4" "$5" >"$b.txt"
		cmp "$b.txt" js.txt || { echo "$b differs from jitsynth sample ${opts[*]}" >&2; return 1; }
	done
}
check "every profile, seed 5: gcc and clang, -O2 and -O0, print the same kernels" same 5 1 0 0 0
check "the seed profiles, seed 9: the same kernels" same 9 0 0 0 0
check "every profile, --max-stmts 3 --max-depth 2: the same kernels" same 11 1 3 2 0
check "every profile, realistic (the default), seed 6: the same kernels" same 6 1 0 0 1
check "the seed profiles, --max-stmts 2 --max-depth 4: the same kernels" same 12 0 2 4 0
