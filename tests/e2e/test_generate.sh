# test_generate: issue 2, acceptance 2. 1100 kernels of the seed's 11
# categories (--categories seed), both devices: every record has CPU and
# CUDA forward+backward named after the kernel, all 11 categories at 9.1% +-
# 1.5%, unique names, rejects < 0.5% with reasons. Then the default (every
# profile, realistic) through the same default validation.
# flavours: release
source "$(dirname "$0")/lib.sh"
N=${N:-1100}
js generate --categories seed --format jsonl -n $N -o ds --seed 7 --quiet
expect_rc 0

records ds > all.jsonl
n=$(wc -l < all.jsonl)
nrej=$(wc -l < ds/rejects.jsonl)
ndup=$(jq '.counts.dedup.exact + .counts.dedup.structural' ds/manifest.json)
check "every kernel is a record, a reject or a counted duplicate ($n + $nrej + $ndup = $N)" test $((n + nrej + ndup)) = $N
check "duplicates are rare ($ndup)" test $((ndup * 100)) -lt $N
check "rejects < 0.5% ($nrej)" test $((nrej * 200)) -lt $N
check "every reject has a reason" test "$(jq -r 'select((.reason // "") == "") | .id' ds/rejects.jsonl | wc -l)" = 0

bad=$(jq -r '.kernel_name as $k | select(
	([.ir.cpu.forward, .ir.cpu.backward, .ir.cuda.forward, .ir.cuda.backward] | map(. // "" | length > 0) | all | not)
	or (.ir.cpu.forward  | test("static void " + $k + "_[0-9a-f]+_cpu_kernel_forward\\(") | not)
	or (.ir.cpu.backward | test("static void " + $k + "_[0-9a-f]+_cpu_kernel_backward\\(") | not)
	or (.ir.cuda.forward | test("__global__ void " + $k + "_[0-9a-f]+_cuda_kernel_forward\\(") | not)
	or (.ir.cuda.backward| test("__global__ void " + $k + "_[0-9a-f]+_cuda_kernel_backward\\(") | not)
	or (.ir.cpu.forward as $f | .ir.cpu.module | contains($f) | not)
	or (.ir.cuda.backward as $b | .ir.cuda.module | contains($b) | not)
	or (.python_source | startswith("import warp as wp\n") | not)
	or (.meta.warp_version != "1.19.0")) | .id' all.jsonl | head -5)
check "all records have CPU+CUDA forward and backward named after the kernel" test -z "$bad"

check "names are unique" test "$(jq -r .kernel_name all.jsonl | sort | uniq -d | wc -l)" = 0
check "ids are in index order" test "$(jq -r .meta.index all.jsonl | sort -n -c && echo sorted)" = sorted

jq -r .category all.jsonl | sort | uniq -c > cats.txt
cat cats.txt
check "11 categories present" test "$(wc -l < cats.txt)" = 11
while read -r count cat; do
	# 9.1% +- 1.5% of the records: 7.6% .. 10.6%
	check "$cat share $count/$n within 9.1% +- 1.5%" test $((count * 1000)) -ge $((n * 76)) -a $((count * 1000)) -le $((n * 106))
done < cats.txt

check "manifest counts match" test "$(jq '.counts.records' ds/manifest.json)" = "$n"
check "manifest is complete" test "$(jq '.complete' ds/manifest.json)" = true
for f in $(jq -r '.shards[].file' ds/manifest.json); do
	check "sha256 of $f matches the manifest" test "$(sha256sum ds/$f | cut -d' ' -f1)" = "$(jq -r --arg f $f '.shards[] | select(.file == $f) | .sha256' ds/manifest.json)"
done
check "no temporary files left" test -z "$(ls -A ds | grep '\.tmp$' || true)"

# the default: every profile in the realistic style, validated as by default
ND=${ND:-240}
js generate --format jsonl -n $ND -o def --seed 7 --quiet
expect_rc 0
records def > def.jsonl
nd=$(wc -l < def.jsonl)
ndrej=$(wc -l < def/rejects.jsonl)
[ "$ndrej" = 0 ] || jq -r '.category + ": " + .reason' def/rejects.jsonl | head -5
check "default: the manifest says realistic, every profile" test "$(jq -c '[.options.style, (.options.categories | length)]' def/manifest.json)" = '["realistic",24]'
check "default: rejects < 0.5% ($ndrej of $ND)" test $((ndrej * 200)) -lt $ND
check "default: all 24 profiles stored" test "$(jq -r .category def.jsonl | sort -u | wc -l)" = 24
check "default: CPU and CUDA forward and backward in every record" test "$(jq -r 'select([.ir.cpu.forward, .ir.cpu.backward, .ir.cuda.forward, .ir.cuda.backward] | map(. // "" | length > 0) | all | not) | .id' def.jsonl | wc -l)" = 0
check "default: realistic kernels (subscript annotations)" test "$(jq -r .python_source def.jsonl | grep -c 'wp.array\[')" -gt $((nd / 2))

# --jobs by default: the cores, but at most one Warp worker per 32 kernels
# (a worker's start costs what ~30 kernels do)
cores=$(nproc)
want=$(( (ND + 31) / 32 )); [ $want -gt $cores ] && want=$cores
check "default jobs for $ND kernels: min(cores, ceil($ND/32)) = $want" test "$(jq .timing.jobs def/manifest.json)" = $want
js generate -n 5 -o five --seed 7 --quiet --validate none
expect_rc 0
check "default jobs for 5 kernels: one worker" test "$(jq .timing.jobs five/manifest.json)" = 1
js generate -n 5 -o five2 --seed 7 --quiet --validate none --jobs 2
expect_rc 0
check "--jobs 2 for 5 kernels: two, as asked" test "$(jq .timing.jobs five2/manifest.json)" = 2
check "and the same dataset" cmp five/train-00000.jsonl.zst five2/train-00000.jsonl.zst
