# test_hostile_modules: a dataset's module texts are untrusted. `jitsynth
# validate` over modules that include /dev/zero, a FIFO, /etc/passwd,
# "../../x", a header named by a macro, that probe files with __has_include or
# #pragma GCC dependency, rename themselves with #line, or explode in template
# instantiation finishes in bounded time, names every bad record with the
# reason, prints nothing of the outside files, and no compiler grows past
# the memory limit (CHK_MEM_MIB, 4 GiB); the untouched records still pass. In
# the code tier, inline asm that would make the assembler read a file reaches
# no assembler.
# flavours: release
source "$(dirname "$0")/lib.sh"
LIMIT_KIB=$((4096 * 1024))
# Every module here stops at once or at a limit of about 30 s; 2 batches of
# them at most, on 2 threads, and the wall-clock limit (120 s) is the bound.
TIMEOUT=${TIMEOUT:-300}
js generate --categories seed --format jsonl -n 12 --seed 5 -o ds --quiet --validate none -j 2; expect_rc 0
mkfifo "$WORK/fifo"
cat >bomb.txt <<'EOF'
template <int N, unsigned long M> struct jitsynth_boom {
	static constexpr unsigned long v = jitsynth_boom<N - 1, 2 * M>::v + jitsynth_boom<N - 1, 2 * M + 1>::v;
};
template <unsigned long M> struct jitsynth_boom<0, M> { static constexpr unsigned long v = M; };
static_assert(jitsynth_boom<40, 1>::v != 0, "2^40 instantiations");
EOF
mapfile -t names < <(jq -r .kernel_name ds/train-00000.jsonl)
plants=(
	'#include "/dev/zero"'
	"#include \"$WORK/fifo\""
	'#include "/etc/passwd"'
	'#include "../../x"'
	$'#define JS_HEADER "/etc/passwd"\n#include JS_HEADER'
	$'#if __has_include("/etc/passwd")\n#endif'
	'#pragma GCC dependency "/etc/passwd"'
	$'#line 1 "/etc/passwd"\nroot oops;'
	"$(cat bomb.txt)"
)
# The refusal shows at most 60 characters of the operand, then "...".
fifo_op="\"$WORK/fifo\""
if [ ${#fifo_op} -gt 60 ]; then fifo_op="${fifo_op:0:60}..."; fi
reasons=(
	'#include "/dev/zero": a module may include only'
	"#include $fifo_op: a module may include only"
	'#include "/etc/passwd": a module may include only'
	'#include "../../x": a module may include only'
	'#include JS_HEADER: a module may include only'
	'__has_include is not allowed in a module'
	'#pragma is not allowed in a module'
	'#line is not allowed in a module'
	"exceeded the compiler's"
)
mkdir hostile
cp ds/manifest.json hostile/
args=()
for k in "${!plants[@]}"; do args+=(--arg "k$k" "${names[$k]}" --arg "p$k" "${plants[$k]}"); done
jq -c "${args[@]}" '
	def plant($s): (.ir.cpu.module, .ir.cuda.module) |=
		sub("#include \"deterministic.h\"\n"; "#include \"deterministic.h\"\n" + $s + "\n");
	. as $r | reduce range(0; 9) as $k ($r;
		if .kernel_name == $ARGS.named["k\($k)"] then plant($ARGS.named["p\($k)"]) else . end)' \
	ds/train-00000.jsonl >hostile/train-00000.jsonl
check "every plant is in the dataset" test "$(grep -c -e /dev/zero -e jitsynth_boom -e JS_HEADER hostile/train-00000.jsonl)" = 3

set +e
/usr/bin/time -v -o time.txt timeout -k 10 "$TIMEOUT" "$JS" validate hostile -j 2 >out.txt 2>err.txt
rc=$?
set -e
cat out.txt
grep -E "Elapsed|Maximum resident" time.txt
check "validate finished within $TIMEOUT s" test "$rc" != 124 -a "$rc" != 137
check "validate reports failures (exit 1, got $rc)" test "$rc" = 1
for k in "${!plants[@]}"; do
	for dev in cpu cuda; do
		check "${names[$k]} $dev: named as failing" grep -q "^FAIL train-00000.jsonl:[0-9]* ${names[$k]} $dev: " out.txt
		check "${names[$k]} $dev: the reason given" grep -qF -- "${reasons[$k]}" <(grep -A2 "^FAIL .* ${names[$k]} $dev: " out.txt)
	done
done
good=$((${#names[@]} - ${#plants[@]}))
check "the $good untouched records pass on cpu" grep -q "^cpu  *${#names[@]}  *$good  *${#plants[@]}$" out.txt
check "... and on cuda" grep -q "^cuda  *${#names[@]}  *$good  *${#plants[@]}$" out.txt
check "nothing of /etc/passwd is printed" bash -c '! grep -q "root:x:0:0" out.txt err.txt'
maxrss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
check "no process grew past the memory limit ($maxrss KiB)" test "$maxrss" -le "$LIMIT_KIB"

# ---- the code tier: inline asm for the assembler, which is never run ----
mkdir asm
cp ds/manifest.json asm/
jq -c --arg k "${names[9]}" 'select(.kernel_name == $k) |
	.ir.cpu.module |= sub("#include \"deterministic.h\"\n";
		"#include \"deterministic.h\"\nasm(\".include \\\"/etc/passwd\\\"\");\n")' \
	ds/train-00000.jsonl >asm/train-00000.jsonl
check "the asm is planted" grep -q 'asm(\\".include' asm/train-00000.jsonl
js validate asm --tier compile --devices cpu -j 1
cat out.txt
check "code tier: checked" grep -q "^cpu  *1 " out.txt
check "code tier: nothing of /etc/passwd is printed" bash -c '! grep -q "root:x:0:0" out.txt err.txt'
