# test_exec_run: the run tier (src/exec/). `jitsynth validate DIR --tier run`
# executes every record's CPU module through Warp's CPU entry points, geometry
# kernels on real meshes/BVHs/hash grids/volumes, texture, scalar-only,
# int8, bfloat16 and float16 kernels (ingested; float16 rounds ties to even,
# as in Warp); planted kernels that crash
# (a null store), loop forever or call unlink() (stopped by the runner's
# seccomp sandbox) are each reported with their reason while the rest of
# their batch still runs. `generate --validate run` puts the exec
# object in every record, byte-identical across --jobs, with the counts in
# the manifest, and the exec field stays under 5% of the records' size.
source "$(dirname "$0")/lib.sh"
js generate --format jsonl -n 24 -o ds --quiet --validate run --devices cpu --categories all --style synthetic -j 2 --no-dedup; expect_rc 0
n=$(records ds | wc -l)
[ "$n" = 24 ] || fail "expected 24 records, got $n"
check "every record carries exec" test "$(records ds | jq -r 'select(.exec.status) | .id' | wc -l)" = 24
check "cpu validated at tier run" test "$(records ds | jq -r 'select(.meta.validated.cpu == "run") | .id' | wc -l)" = 24
check "geometry kernels executed" test "$(records ds | jq -r 'select(.category == "geometry" and .exec.status == "executed") | .id' | wc -l)" = 1
ex=$(records ds | jq -r 'select(.exec.status == "executed") | .id' | wc -l)
check "manifest counts what executed" test "$(jq .validation.run.executed ds/manifest.json)" = "$ex"
check "manifest tier is run" test "$(jq -r .options.validate ds/manifest.json)" = run
check "outputs are digested" test "$(records ds | jq -r 'select(.exec.digest | test("^[0-9a-f]{16}$")) | .id' | wc -l)" = "$ex"
share=$(records ds | jq -s 'map(.exec | tostring | length) as $e | map(tostring | length) as $r | (($e | add) / ($r | add) * 1000 | floor)')
check "the exec field is under 5% of the records ($share per mille)" test "$share" -lt 50

js stats ds; expect_rc 0
check "stats counts the run tier's outcomes" grep -Eq "^  executed +$ex +" out.txt

js generate --format jsonl -n 24 -o ds1 --quiet --validate run --devices cpu --categories all --style synthetic -j 1 --no-dedup; expect_rc 0
check "byte-identical records with --jobs 1 and 2" cmp ds/train-00000.jsonl ds1/train-00000.jsonl

js validate ds --tier run; expect_rc 0
ran=$(sed -n 's/^executed   \([0-9]*\) of .*/\1/p' out.txt)
check "validate --tier run executes all $n" test "$ran" = "$n"
check "finite and deterministic counted" grep -q "^executed .*finite [0-9]*, deterministic $ran$" out.txt
check "the adjoint check ran and some kernels pass" grep -Eq "^grad       pass [1-9]" out.txt

# ---- a crash, an endless loop and (release build: no sandbox under ASan)
# a file removal planted in one batch ----
mkdir bad
k_crash=$(jq -r 'select(.category == "arithmetic") | .kernel_name' ds/train-00000.jsonl | head -1)
k_loop=$(jq -r 'select(.category == "math") | .kernel_name' ds/train-00000.jsonl | head -1)
k_sys=$(jq -r 'select(.category == "vector") | .kernel_name' ds/train-00000.jsonl | head -1)
[ "$FLAVOUR" = release ] || k_sys=none
probe=$PWD/probe.txt
echo keep >"$probe"
jq -c --arg c "$k_crash" --arg l "$k_loop" --arg s "$k_sys" --arg probe "$probe" '
	def sub_all($a; $b): split($a) | join($b);
	if .kernel_name == $c then .ir.cpu.module |= sub_all("    // forward\n"; "    // forward\n    *(volatile int *)0 = 1;\n")
	elif .kernel_name == $l then .ir.cpu.module |= sub_all("    // forward\n"; "    // forward\n    for (volatile int js_i = 0; js_i >= 0; js_i = 1) {}\n")
	elif .kernel_name == $s then .ir.cpu.module |= (sub_all("template <bool wp_linear_contiguous>\nstatic void"; "extern \"C\" int unlink(const char *);\ntemplate <bool wp_linear_contiguous>\nstatic void")
		| sub_all("    // forward\n"; "    // forward\n    unlink(\"" + $probe + "\");\n"))
	else . end' ds/train-00000.jsonl >planted.jsonl
head -6 planted.jsonl >bad/train-00000.jsonl
grep -q "\"$k_crash\"" bad/train-00000.jsonl && grep -q "\"$k_loop\"" bad/train-00000.jsonl || fail "planted kernels not among the first six"
JITSYNTH_TEST_EXEC_WALL=2 js validate bad --tier run; expect_rc 1
check "the planted crash is reported" grep -q "not run   crash .* $k_crash: crashed with SIGSEGV" out.txt
check "the planted loop is reported" grep -q "not run   time .* $k_loop: ran past the 2 s wall-clock limit" out.txt
if [ "$FLAVOUR" = release ]; then
	grep -q "\"$k_sys\"" bad/train-00000.jsonl || fail "the sandbox probe is not among the first six"
	check "a system call outside the sandbox kills the kernel" grep -q "not run   sandbox .* $k_sys: crashed with SIGSYS" out.txt
	check "...before it removed the file" test -e "$probe"
	check "the rest of the batch still ran" grep -q "^executed   3 of 6" out.txt
else
	check "the rest of the batch still ran" grep -q "^executed   4 of 6" out.txt
fi

# ---- ingested kernels the generator does not write: a texture parameter
# (run on a real host texture: an empty one samples 0 and 1/0 is not
# finite), scalar parameters only, int8 arrays and values, a bfloat16
# conversion; one batch of modules that start with a blank line (the
# runner's batch spec once read it as part of each header line: kernels
# after the first got no result or another's) ----
mkdir -p kin
cat >kin/k.py <<'PY'
import warp as wp


@wp.kernel
def sample_tex(tex: wp.Texture2D, out: wp.array(dtype=float)):
    tid = wp.tid()
    s = wp.texture_sample(tex, wp.vec2(float(tid) / 64.0, 0.5), dtype=float)
    out[tid] = 1.0 / s


@wp.kernel
def scalars_only(x: float, n: int, d: wp.float64):
    tid = wp.tid()
    y = x * float(tid) + float(n) + float(d)
    if y > 1.0e30:
        wp.printf("%f\n", y)


@wp.kernel
def int8s(a: wp.array(dtype=wp.int8), b: wp.array(dtype=float), c: wp.int8):
    tid = wp.tid()
    b[tid] = float(a[tid]) + float(c)


@wp.kernel
def bf16(a: wp.array(dtype=float), out: wp.array(dtype=float)):
    tid = wp.tid()
    out[tid] = float(wp.bfloat16(a[tid] - 2.0))


@wp.kernel
def half_ties(out: wp.array(dtype=float)):
    tid = wp.tid()
    # 1 + 2**-11 lies halfway between the halves 1 and 1 + 2**-10. Warp
    # (clang's _Float16 on CPU, cvt.rn on CUDA) rounds it to even, 1, and
    # the output is -1024; warp.so's host conversion, which g++ would get
    # from builtin.h, rounds away from zero, and the output is 1/0.
    h = wp.float16(1.0 + float(tid % 1 + 1) * 0.00048828125)
    out[tid] = 1.0 / (float(h) - 1.0009765625)
PY
js ingest kin -o kds --devices cpu --format jsonl -j 1 --quiet; expect_rc 0
check "the five kernels are paired" test "$(records kds | wc -l)" = 5
check "their modules start with a blank line" \
	test "$(records kds | jq -r 'select(.ir.cpu.module | startswith("\n")) | .kernel_name' | wc -l)" = 5
js validate kds --tier run; expect_rc 0
check "texture, scalar-only, int8, bfloat16 and float16 kernels execute, finite (float16 rounds ties to even)" \
	grep -q "^executed   5 of 5 (100.0%); finite 5, deterministic 5$" out.txt
