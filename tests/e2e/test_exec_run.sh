# test_exec_run: `jitsynth validate DIR --tier run` executes every record's
# CPU module through Warp's CPU entry points (src/exec/). Kernels of every
# profile run (geometry ones are named as not executed, with the reason);
# planted kernels that crash (a null store) and loop forever are each
# reported with their reason while the rest of their batch still runs; the
# exec objects are the same for two runs (digests of real outputs).
source "$(dirname "$0")/lib.sh"
js generate -n 48 -o ds --quiet --validate none --devices cpu --categories all -j 2 --no-dedup; expect_rc 0
n=$(records ds | wc -l)
[ "$n" = 48 ] || fail "expected 48 records, got $n"
geo=$(records ds | jq -r 'select(.ir.cpu.forward | test("wp::(mesh|bvh|hash_grid|volume)_")) | .kernel_name' | wc -l)

js validate ds --tier run; expect_rc 1   # geometry kernels are not executed
ran=$(sed -n 's/^executed   \([0-9]*\) of .*/\1/p' out.txt)
check "every non-geometry kernel executed ($ran of $n, $geo geometry)" test "$ran" = $((n - geo))
check "finite and deterministic counted" grep -q "^executed .*finite [0-9]*, deterministic $ran$" out.txt
check "geometry kernels carry their reason" grep -q "not run   geometry .*real object behind a uint64 id" out.txt
check "the adjoint check ran and some kernels pass" grep -Eq "^grad       pass [1-9]" out.txt

# ---- plant a crash and an endless loop into two kernels of one batch ----
cp -r ds bad
shard=bad/train-00000.jsonl
k_crash=$(jq -r 'select(.category == "arithmetic") | .kernel_name' ds/train-00000.jsonl | head -1)
k_loop=$(jq -r 'select(.category == "math") | .kernel_name' ds/train-00000.jsonl | head -1)
jq -c --arg c "$k_crash" --arg l "$k_loop" '
	def sub_all($a; $b): split($a) | join($b);
	if .kernel_name == $c then .ir.cpu.module |= sub_all("    // forward\n"; "    // forward\n    *(volatile int *)0 = 1;\n")
	elif .kernel_name == $l then .ir.cpu.module |= sub_all("    // forward\n"; "    // forward\n    for (volatile int js_i = 0; js_i >= 0; js_i = 1) {}\n")
	else . end' ds/train-00000.jsonl >"$shard"
JITSYNTH_TEST_EXEC_WALL=2 js validate bad --tier run; expect_rc 1
check "the planted crash is reported" grep -q "not run   crash .* $k_crash: crashed with SIGSEGV" out.txt
check "the planted loop is reported" grep -q "not run   time .* $k_loop: ran past the 2 s wall-clock limit" out.txt
check "the rest still ran" grep -q "^executed   $((ran - 2)) of $n" out.txt
