# test_export: `export --layout seed` writes exactly the seed report's layout
# and schema (cpu/ and cuda/ pair_NNNNNN.json; python_source from
# @wp.kernel, cpp_forward, metadata.{kernel_name,category,device}), and
# stats and merge read that layout back.
source "$(dirname "$0")/lib.sh"
js generate --categories seed --format jsonl -n 55 -o ds --seed 5 --quiet; expect_rc 0
n=$(records ds | wc -l)

js export ds --layout seed -o seed; expect_rc 0
check "only cpu/ and cuda/ in OUT" test "$(ls -A seed | tr '\n' ' ')" = "cpu cuda "
check "$n cpu pair files" test "$(ls seed/cpu | wc -l)" = $n
check "$n cuda pair files" test "$(ls seed/cuda | wc -l)" = $n
check "names pair_000000.json .. " test "$(ls seed/cpu | head -1)/$(ls seed/cuda | tail -1)" = "pair_000000.json/pair_$(printf %06d $((n - 1))).json"
check "exact keys" test "$(cat seed/*/pair_*.json | jq -c '[keys_unsorted, (.metadata | keys_unsorted)]' | sort -u)" = '[["python_source","cpp_forward","metadata"],["kernel_name","category","device"]]'
check "string values" test "$(cat seed/*/pair_*.json | jq '[.python_source, .cpp_forward, .metadata[]] | map(type == "string") | all' | sort -u)" = true
check "python_source starts at @wp.kernel" test "$(cat seed/*/pair_*.json | jq -r '.python_source | startswith("@wp.kernel\n")' | sort -u)" = true
check "device matches the directory" test "$(jq -r .metadata.device seed/cuda/pair_000007.json)/$(jq -r .metadata.device seed/cpu/pair_000007.json)" = cuda/cpu
first=$(head -1 ds/train-00000.jsonl)
check "cpp_forward is the record's forward" test "$(jq -r .cpp_forward seed/cuda/pair_000000.json)" = "$(jq -r .ir.cuda.forward <<<"$first")"
check "python is the record's minus the import" test "import warp as wp

$(jq -r .python_source seed/cpu/pair_000000.json)" = "$(jq -r .python_source <<<"$first")"
check "metadata" test "$(jq -c .metadata seed/cpu/pair_000000.json)" = "$(jq -c '{kernel_name, category, device: "cpu"}' <<<"$first")"

js stats seed; expect_rc 0
check "stats reads the seed layout" grep -q "^layout     seed" out.txt
check "stats pairs cpu+cuda files into $n records" grep -q "^records    $n   (cpu $n, cuda $n" out.txt

js merge --format jsonl seed -o back; expect_rc 0
check "merge reads it back: $n records" test "$(cat back/train-*.jsonl | wc -l)" = $n

js export ds --layout seed -o seed; expect_rc 1
expect_err "already exists"
js export ds --layout seed -o seed --force; expect_rc 0
js export ds --layout other -o x; expect_rc 2
js export ds -o x; expect_rc 2
