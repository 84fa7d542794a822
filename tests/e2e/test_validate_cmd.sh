# test_validate_cmd: `jitsynth validate DIR` re-checks a dataset. Broken pairs
# planted into a copy (a mutated forward body, a missing brace, a wrong type,
# a forward that differs from its module, a broken backward function alone)
# are each found and named with the
# compiler's diagnostic; the untouched records pass; the seed layout is
# validated through Warp; malformed input is named and skipped; no NVRTC.
source "$(dirname "$0")/lib.sh"
js generate --categories seed --format jsonl -n 12 -o ds --quiet --validate none -j 2; expect_rc 0
n=$(records ds | wc -l)

js validate ds -j 2; expect_rc 0
check "clean dataset: all $n records pass on both devices" grep -q "^total  *$((2 * n))  *$((2 * n))  *0$" out.txt
check "clean dataset: PASS" grep -q "^result   PASS" out.txt

# ---- plant broken pairs into a copy ----
cp -r ds bad
shard=bad/train-00000.jsonl
names=$(jq -r .kernel_name "$shard")
k_add=$(jq -r 'select(.ir.cpu.forward | contains("wp::add(")) | .kernel_name' "$shard" | head -1)
k_brace=$(grep -vx "$k_add" <<<"$names" | head -1)
k_type=$(jq -r 'select(.ir.cpu.forward | contains("wp::float32 var_")) | .kernel_name' "$shard" |
	grep -vx -e "$k_add" -e "$k_brace" | head -1)
k_diff=$(grep -vx -e "$k_add" -e "$k_brace" -e "$k_type" <<<"$names" | head -1)
k_bwd=$(jq -r 'select(.ir.cuda.backward | contains("wp::adj_")) | .kernel_name' "$shard" |
	grep -vx -e "$k_add" -e "$k_brace" -e "$k_type" -e "$k_diff" | head -1)
[ -n "$k_add" ] && [ -n "$k_brace" ] && [ -n "$k_type" ] && [ -n "$k_diff" ] && [ -n "$k_bwd" ] ||
	fail "no records to plant into"
line_of() { grep -n "\"kernel_name\":\"$1\"" "$shard" | cut -d: -f1; }
jq -c --arg add "$k_add" --arg brace "$k_brace" --arg type "$k_type" --arg diff "$k_diff" --arg bwd "$k_bwd" '
	def sub_all($a; $b): split($a) | join($b);
	if .kernel_name == $add then   # a mutated forward body, in the module and the forward alike
		(.ir.cpu.module, .ir.cpu.forward, .ir.cpu.backward) |= sub_all("wp::add("; "wp::addd(")
	elif .kernel_name == $brace then   # the forward loses its closing brace, in the module too
		.ir.cuda.forward as $f | ($f | .[0:-1]) as $g
		| .ir.cuda.module |= sub_all($f; $g) | .ir.cuda.forward = $g
	elif .kernel_name == $type then   # a wrong type, in the module and the forward alike
		.ir.cpu.forward as $f | ($f | sub_all("wp::float32 var_"; "wp::vec3f var_")) as $g
		| .ir.cpu.module |= sub_all($f; $g) | .ir.cpu.forward = $g
	elif .kernel_name == $diff then   # the stored forward alone is changed; the module still compiles
		.ir.cuda.forward |= sub_all("// forward\n"; "// forward (edited)\n")
	elif .kernel_name == $bwd then   # the backward alone calls adjoints that do not exist, in the module too
		.ir.cuda.backward as $b | ($b | sub_all("wp::adj_"; "wp::adjj_")) as $g
		| .ir.cuda.module |= sub_all($b; $g) | .ir.cuda.backward = $g
	else . end' ds/train-00000.jsonl >"$shard"
echo '{"kernel_name": "truncated", "ir": {' >>"$shard"
bad_line=$(wc -l <"$shard")

js validate bad -j 2; expect_rc 1
cat out.txt
check "mutated body: named, with g++'s diagnostic" grep -q "^FAIL train-00000.jsonl:$(line_of "$k_add") $k_add cpu: module rejected by g++ (syntax)" out.txt
check "mutated body: the diagnostic says what" grep -q "^    .*addd" <(grep -A3 "^FAIL .* $k_add cpu" out.txt)
check "missing brace: named, with NVRTC's diagnostic" grep -q "^FAIL train-00000.jsonl:$(line_of "$k_brace") $k_brace cuda: module rejected by NVRTC (syntax)" out.txt
check "missing brace: the diagnostic says what" grep -q "^    .*error" <(grep -A6 "^FAIL .* $k_brace cuda" out.txt)
check "wrong type: named, with g++'s diagnostic" grep -q "^FAIL train-00000.jsonl:$(line_of "$k_type") $k_type cpu: module rejected by g++ (syntax)" out.txt
check "wrong type: the diagnostic says what" grep -q "^    .*error" <(grep -A6 "^FAIL .* $k_type cpu" out.txt)
check "edited forward: differs from the module" grep -q "^FAIL train-00000.jsonl:$(line_of "$k_diff") $k_diff cuda: forward differs from the module" out.txt
check "edited forward: the differing line is shown" grep -q "stored  // forward (edited)" <(grep -A3 "^FAIL .* $k_diff cuda" out.txt)
check "broken backward alone: named, with NVRTC's diagnostic" grep -q "^FAIL train-00000.jsonl:$(line_of "$k_bwd") $k_bwd cuda: module rejected by NVRTC (syntax)" out.txt
check "broken backward alone: the diagnostic says what" grep -q "^    .*adjj_" <(grep -A6 "^FAIL .* $k_bwd cuda" out.txt)
check "broken backward alone: its forward is fine, its cpu module passes" test "$(grep -c "^FAIL .* $k_bwd " out.txt)" = 1
check "malformed line named and skipped" grep -q "^SKIP train-00000.jsonl:$bad_line: " out.txt
check "untouched records pass: cpu $((n - 2)), cuda $((n - 3))" \
	grep -q "^cpu  *$n  *$((n - 2))  *2$" out.txt
check "... and cuda" grep -q "^cuda  *$n  *$((n - 3))  *3$" out.txt
check "result says FAIL" grep -q "^result   FAIL: 5 failed, 1 skipped" out.txt

js validate bad -j 2 --devices cpu -q; expect_rc 1
check "--devices cpu -q: only the totals" test "$(grep -c '^FAIL' out.txt)" = 0
check "--devices cpu: no cuda row" bash -c '! grep -q "^cuda" out.txt'

# ---- the seed layout ----
js export ds --layout seed -o seed; expect_rc 0
js validate seed -j 2; expect_rc 0
check "seed layout: Warp regenerates every module" grep -q "seed layout, $n records, tier syntax, $n regenerated by Warp" out.txt
check "seed layout: all pass" grep -q "^total  *$((2 * n))  *$((2 * n))  *0$" out.txt

cp -r seed seedbad
f=seedbad/cpu/pair_000003.json    # a broken cpp_forward: its body loses a brace
k3=$(jq -r .metadata.kernel_name "$f")
jq '.cpp_forward |= (.[0:-1])' seed/cpu/pair_000003.json >"$f"
g=seedbad/cuda/pair_000005.json   # a cpp_forward that compiles but is not Warp's
k5=$(jq -r .metadata.kernel_name "$g")
jq '.cpp_forward |= (split("// forward\n") | join("// forward, as the seed had it\n"))' seed/cuda/pair_000005.json >"$g"
h=seedbad/cpu/pair_000007.json   # another Warp's kernel hash is no difference
jq --arg k "$(jq -r .metadata.kernel_name "$h")" '.cpp_forward |= gsub($k + "_[0-9a-f]{8}"; $k + "_0badc0de")' \
	seed/cpu/pair_000007.json >"$h"
check "seed: another hash planted" grep -q "_0badc0de_cpu_kernel_forward" "$h"
echo '{"python_source": "@wp.kernel\n' >seedbad/cuda/pair_000099.json   # malformed
js validate seedbad -j 2; expect_rc 1
cat out.txt
check "seed: broken cpp_forward named, with g++'s diagnostic" \
	grep -q "^FAIL cpu/pair_000003.json:1 $k3 cpu: cpp_forward rejected by g++ (syntax) in the module Warp regenerates" out.txt
check "seed: the diagnostic says what" grep -q "^    .*error" <(grep -A4 "^FAIL cpu/pair_000003.json" out.txt)
check "seed: a differing cpp_forward is a warning" \
	grep -q "^WARN cuda/pair_000005.json:1 $k5 cuda: cpp_forward differs from what Warp generates" out.txt
check "seed: malformed pair file named and skipped" grep -q "^SKIP cuda/pair_000099.json:" out.txt
check "seed: one failure" test "$(grep -c '^FAIL ' out.txt)" = 1
check "seed: one warning; a hash alone is not a difference" test "$(grep -c '^WARN ' out.txt)" = 1
check "seed: the rest pass" grep -q "^cpu  *$n  *$((n - 1))  *1$" out.txt
check "seed: cuda passes (warning only)" grep -q "^cuda  *$n  *$n  *0$" out.txt

# ---- without NVRTC ----
export JITSYNTH_NVRTC=/nonexistent
js validate ds -j 2; expect_rc 1
expect_err "NVRTC not found"
check "no NVRTC: one line on stderr" test "$(wc -l <err.txt)" = 1
check "no NVRTC: no report" test ! -s out.txt
js validate ds -j 2 --devices cpu; expect_rc 0
check "no NVRTC: --devices cpu still works" grep -q "^cpu  *$n  *$n  *0$" out.txt
unset JITSYNTH_NVRTC

# ---- usage and unusable input ----
js validate; expect_rc 2
js validate ds --tier none; expect_rc 2
js validate ds --devices gpu; expect_rc 2
js validate ds extra; expect_rc 2
js validate nowhere; expect_rc 1
check "missing directory: one line" test "$(wc -l <err.txt)" = 1
mkdir empty
js validate empty; expect_rc 1
echo "validate: all checks passed"
