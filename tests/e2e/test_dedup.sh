# test_dedup: issue 5, acceptance 1. A dataset with planted duplicates --
# exact ones (same kernel renamed, re-spaced, with a comment) and
# renamed-identifier ones (a parameter renamed in the Python and the IR, new
# kernel name and hash) -- loses exactly those through merge, counted by
# reason in the manifest; across directories too; --no-dedup keeps all.
source "$(dirname "$0")/lib.sh"
js generate --categories seed --format jsonl -n 44 -o ds --seed 21 --quiet; expect_rc 0
n=$(records ds | wc -l)

js merge --format jsonl ds -o base; expect_rc 0
check "no duplicates in a fresh dataset" test "$(jq -c .counts.dedup base/manifest.json)" = '{"exact":0,"structural":0}'

mkdir planted
records ds | python3 -c '
import json, re, sys
recs = [json.loads(l) for l in sys.stdin]
out = list(recs)
def rename_kernel(r, tag):
    old, new = r["kernel_name"], r["kernel_name"] + tag
    r["kernel_name"], r["id"] = new, r["id"] + tag
    r["python_source"] = re.sub(r"\bdef " + old + r"\b", "def " + new, r["python_source"])
    for dev in r["ir"].values():
        for k in ("forward", "backward"):
            dev[k] = re.sub(r"\b" + old + r"_[0-9a-f]{8}", new + "_0badc0de", dev[k])
for i in range(3):                       # exact: renamed kernel, spacing, comment
    r = json.loads(json.dumps(recs[i])); rename_kernel(r, "x")
    py = r["python_source"].replace(" = ", "  =  ").replace("    tid", "    # a comment\n\n    tid", 1)
    r["python_source"] = py.replace("\n", "   \n")
    out.append(r)
for i in range(3, 6):                    # structural: a parameter renamed everywhere
    r = json.loads(json.dumps(recs[i])); rename_kernel(r, "s")
    p = re.search(r"def \w+\((\w+)", r["python_source"]).group(1)
    r["python_source"] = re.sub(r"(?<![.\w])" + p + r"\b", p + "_renamed", r["python_source"])
    for dev in r["ir"].values():
        for k in ("forward", "backward"):
            dev[k] = re.sub(r"\b(var|adj)_" + p + r"\b", r"\1_" + p + "_renamed", dev[k])
            dev[k] = re.sub(r"->" + p + r"\b", "->" + p + "_renamed", dev[k])
    out.append(r)
for r in out:
    print(json.dumps(r))
' > planted/train-00000.jsonl
check "planted 6 copies" test "$(wc -l < planted/train-00000.jsonl)" = $((n + 6))

js merge --format jsonl planted -o out; expect_rc 0
check "manifest counts 3 exact + 3 structural" test "$(jq -c .counts.dedup out/manifest.json)" = '{"exact":3,"structural":3}'
check "exactly the originals kept ($n)" test "$(jq .counts.records out/manifest.json)/$(cat out/train-*.jsonl | wc -l)" = "$n/$n"
check "kept records are the originals, in order" cmp <(records ds | jq -r .id) <(jq -r .id out/train-*.jsonl)
js stats out; expect_rc 0
check "stats shows the manifest's dedup counts" grep -q "dropped 3 exact, 3 structural" out.txt

js merge --format jsonl ds planted -o across; expect_rc 0
check "across directories: all of planted is a duplicate of ds" test "$(jq -c .counts.dedup across/manifest.json)" = "{\"exact\":$((n + 3)),\"structural\":3}"

js merge --format jsonl planted -o keep --no-dedup; expect_rc 0
check "--no-dedup keeps all $((n + 6))" test "$(cat keep/train-*.jsonl | wc -l)" = $((n + 6))
js merge --format jsonl planted -o keep; expect_rc 1
expect_err "already holds a dataset"
