# test_determinism: issue 2, acceptance 3. The same seed gives byte-identical
# shards and rejects with --jobs 1 and --jobs 2 (and other batch sizes), also
# across shard rotation; the manifests differ only in "timing" (their
# "metrics" included, with planted rejects so rejects_by_reason has keys).
# flavours: release
source "$(dirname "$0")/lib.sh"
N=330
export JITSYNTH_TEST_REJECT=7,150,299
js generate --categories seed --format jsonl -n $N -o one --seed 11 --jobs 1 --shard-size 100 --quiet
expect_rc 0
js generate --categories seed --format jsonl -n $N -o two --seed 11 --jobs 2 --batch 3 --shard-size 100 --quiet
expect_rc 0
check "4 shards (100,100,100,30)" test "$(ls one/train-*.jsonl | wc -l)" = 4
for f in one/train-*.jsonl one/rejects.jsonl; do
	check "$(basename $f) identical with --jobs 1 and 2" cmp "$f" "two/$(basename $f)"
done
check "manifests equal but for timing" diff <(jq 'del(.timing)' one/manifest.json) <(jq 'del(.timing)' two/manifest.json)
check "metrics count the 3 planted rejects by reason" test "$(jq '[.metrics.rejects_by_reason[]] | add' one/manifest.json)" = 3
unset JITSYNTH_TEST_REJECT
# the default (every profile, realistic; jsonl.zst, dedup): records built
# on as many threads as --jobs, zstd on its own thread, the same bytes with
# 1 job or 4
js generate -n 120 -o z1 --seed 11 --jobs 1 --shard-size 50 --validate none --quiet
expect_rc 0
js generate -n 120 -o z4 --seed 11 --jobs 4 --batch 2 --shard-size 50 --validate none --quiet
expect_rc 0
for f in z1/train-*.jsonl.zst; do
	check "$(basename $f) identical with --jobs 1 and 4" cmp "$f" "z4/$(basename $f)"
done
check "jsonl.zst: 3 shards" test "$(ls z4/train-*.jsonl.zst | wc -l)" = 3
check "jsonl.zst: manifests equal but for timing" diff <(jq 'del(.timing)' z1/manifest.json) <(jq 'del(.timing)' z4/manifest.json)
check "the default is realistic" test "$(jq -r .options.style z1/manifest.json)" = realistic
js generate --categories seed --format jsonl -n 50 -o other --seed 12 --jobs 2 --quiet
check "another seed gives other kernels" test -z "$(comm -12 <(jq -r .python_source other/train-00000.jsonl | sort) <(head -50 one/train-00000.jsonl | jq -r .python_source | sort) | grep def || true)"

# every profile, including @wp.func helpers (Warp numbers helpers with a
# global counter, which the worker must reset per kernel) and tiles: the same
# with --jobs 1 and 2, whatever each worker compiled before
js generate --format jsonl -n 220 -o all1 --seed 5 --jobs 1 --categories all --style synthetic --validate none --quiet
expect_rc 0
js generate --format jsonl -n 220 -o all2 --seed 5 --jobs 2 --batch 1 --categories all --style synthetic --validate none --quiet
expect_rc 0
check "every profile: identical with --jobs 1 and 2" cmp all1/train-00000.jsonl all2/train-00000.jsonl
check "every profile: manifests (metrics too) equal but for timing" \
	diff <(jq 'del(.timing)' all1/manifest.json) <(jq 'del(.timing)' all2/manifest.json)
check "func helpers numbered from 0 in every record" test \
	"$(jq -r 'select(.category == "func") | .ir.cpu.module' all1/train-00000.jsonl | grep -o '_[0-9]*_1(' | wc -l)" = 0
