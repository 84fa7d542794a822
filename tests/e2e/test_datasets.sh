# test_datasets: the dataset card's YAML lists the shards, and the `datasets`
# library (in .venv, from requirements-test.txt) loads the output exactly as
# the card says, plain and .jsonl.zst, with the right rows and columns.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# flavours: release
source "$(dirname "$0")/lib.sh"
PY=${JITSYNTH_TEST_PYTHON:-$ROOT/.venv/bin/python}
"$PY" -c "import datasets" 2>/dev/null || fail "no datasets in $PY: run scripts/setup-test.sh"
js generate --categories seed --format jsonl -n 44 -o ds --seed 9 --quiet; expect_rc 0
n=$(records ds | wc -l)
js generate --categories seed -n 44 -o dz --seed 9 --format jsonl.zst --shard-size 20 --quiet; expect_rc 0
check "zst shards written" test "$(ls dz/train-*.jsonl.zst | wc -l)" = 3
js merge ds -o dm --format jsonl.zst --shard-size 20; expect_rc 0

for d in ds dz dm; do
	[ -f $d/README.md ] || fail "$d/README.md missing"
	check "$d card has configs/data_files" grep -q "^configs:" $d/README.md
	check "$d card license" grep -q "^license: apache-2.0" $d/README.md
	rows=$(jq '.counts.records' $d/manifest.json)
	HF_DATASETS_OFFLINE=1 HF_HOME="$WORK/hf" "$PY" - "$d" "$rows" <<'PYEOF' || fail "datasets could not load $d as the card says"
import re, sys
from datasets import load_dataset
d, rows = sys.argv[1], int(sys.argv[2])
card = open(f"{d}/README.md").read()
files = re.findall(r"^    - (train-\S+)$", card, re.M)
assert files, "no data files in the card"
cols = ["id", "kernel_name", "category", "python_source", "ir", "meta"]
a = load_dataset("json", data_files=[f"{d}/{f}" for f in files], split="train")
b = load_dataset(d, split="train")
for ds in (a, b):
    assert ds.num_rows == rows, (ds.num_rows, rows)
    assert ds.column_names == cols, ds.column_names
    assert set(ds[0]["ir"]) == {"cpu", "cuda"}, ds[0]["ir"].keys()
print(f"ok: {d}: {rows} rows, columns {cols}, both ways")
PYEOF
done
check "merge kept all $n records" test "$(jq .counts.records dz/manifest.json)" = $n
check "3 zst shards of <= 20" test "$(ls dz/train-*.jsonl.zst | wc -l)" = 3
