# test_hostile_datasets: a dataset is untrusted input (issue 14, findings 2,
# 7 and 8), for stats, validate, export and merge:
#  - script in manifest.json's warp_version, escape sequences in a category,
#    a kernel name, a file name and a bad line: the HTML report holds no raw
#    <script>, and no ESC, BEL, other control or C1 character reaches the
#    terminal (everything shown as \xNN);
#  - shards that are a link to /dev/zero and a FIFO, a FIFO for rejects.jsonl,
#    manifest.json and a seed pair file: every command finishes within
#    `timeout 20`, names the file and reads the rest;
#  - a 200 MB line: skipped and named by file:line, peak RSS bounded;
#  - export and merge never write a file their own readers refuse.
source "$(dirname "$0")/lib.sh"
T="timeout 20"
LIMIT=$((64 << 20)) # READER_MAX_BYTES
PY=$ROOT/.venv/bin/python
# Whether the files are safe on a terminal: valid UTF-8, no control byte but
# '\n', no DEL, no C1 (U+0080-U+009F).
term_safe() {
	"$PY" - "$@" <<-'EOF'
	import re, sys
	for p in sys.argv[1:]:
	    t = open(p, "rb").read().decode("utf-8")  # raises on a raw C1 or bad byte
	    bad = re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", t)
	    if bad:
	        sys.exit(f"{p}: raw {bad.group()!r} at {bad.start()}")
	EOF
}
# Runs jitsynth like js, and puts its peak RSS in KiB into $rss.
js_rss() {
	set +e
	rss=$("$PY" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=open("out.txt", "wb"), stderr=open("err.txt", "wb")).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r)' $T "$JS" "$@")
	rc=${rss#* } rss=${rss% *}
	set -e
}
# A record line of exactly $2 bytes ('\n' included) into file $1: a tiny
# kernel and a cpu forward of x's.
line_of() {
	"$PY" - "$@" <<-'EOF'
	import sys
	head = '{"python_source":"@wp.kernel\\ndef big():\\n    pass\\n","ir":{"cpu":{"forward":"'
	tail = '"}}}\n'
	with open(sys.argv[1], "a") as f:
	    f.write(head + "x" * (int(sys.argv[2]) - len(head) - len(tail)) + tail)
	EOF
}

js generate --categories seed --format jsonl -n 20 -o ds --seed 3 --quiet --validate none; expect_rc 0

# --- 2: script and escape sequences from the dataset ---
cp -r ds h
odd=$'train-\e[2J\a.jsonl'
printf '{"python_source": \e[31m}\n' > "h/$odd"
jq --arg odd "$odd" '.warp_version = "<script>document.documentElement.dataset.pwned = 6 * 7</script>\u001b]0;title\u0007" |
	.shards += [{file: $odd}]' ds/manifest.json > h/manifest.json
{
	head -1 ds/train-00000.jsonl | jq -c '.category = "evil\u001b[31mred\u009b2J\nforged line\u202e"'
	sed -n 2p ds/train-00000.jsonl | jq -c '.kernel_name = "k\u001b[1m" | .ir.cpu.forward += "\u001b[2J"'
	tail -n +3 ds/train-00000.jsonl
	printf '{"python_source": \e]0;x\a}\n'
} > h/train-00000.jsonl
$T "$JS" stats h --html h.html >out.txt 2>err.txt || fail "stats on the hostile dataset: exit $?"
check "stats: nothing raw on the terminal" term_safe out.txt err.txt
check "stats: the category shown escaped, on its own line" grep -qF 'evil\x1b[31mred\xc2\x9b2J\x0aforged line\xe2\x80\xae ' out.txt
check "stats: the manifest's warp_version shown escaped" grep -qF 'dataset.pwned = 6 * 7</script>\x1b]0;title\x07' out.txt
check "stats: the odd file named, escaped" grep -qF 'skipped train-\x1b[2J\x07.jsonl:1: invalid JSON' err.txt
check "html: no raw <script>" bash -c '! grep -qi "<script" h.html'
check "html: warp_version escaped" grep -qF '&lt;script&gt;document.documentElement.dataset.pwned = 6 * 7&lt;/script&gt;' h.html
check "html: no control byte" bash -c '! LC_ALL=C grep -qaP "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]" h.html'
js validate h -j 2; expect_rc 1
check "validate: the kernel named, escaped" grep -qF 'FAIL train-00000.jsonl:2 k\x1b[1m cpu:' out.txt
check "validate: nothing raw on the terminal" term_safe out.txt err.txt
js export h --layout seed -o hx; expect_rc 0
check "export: warnings name the bad lines, escaped" grep -qF 'train-00000.jsonl:21: invalid JSON: invalid token near '"'"'\x1b'"'" err.txt
check "export: nothing raw on the terminal" term_safe out.txt err.txt
js merge --format jsonl h -o hm; expect_rc 0
check "merge: nothing raw on the terminal" term_safe out.txt err.txt

# --- 7: links to devices, FIFOs ---
mkdir z
cp ds/train-00000.jsonl z/
ln -s /dev/zero z/train-00001.jsonl
mkfifo z/train-00002.jsonl z/rejects.jsonl
for cmd in "stats z" "validate z -j 2" "export z --layout seed -o zx" "merge z -o zm"; do
	set +e; $T "$JS" $cmd >out.txt 2>err.txt; rc=$?; set -e
	[ $rc != 124 ] || fail "$cmd hangs on a link to /dev/zero or a FIFO"
	for f in "train-00001.jsonl: is a link to a character device" "train-00002.jsonl: is a FIFO"; do
		grep -q "$f, not a regular file" out.txt err.txt || fail "$cmd: no '$f'"
	done
	echo "ok: $cmd finishes (exit $rc) and names the link and the FIFO"
done
js stats z; expect_rc 0
check "stats names rejects.jsonl, a FIFO" expect_err "rejects.jsonl: is a FIFO, not a regular file"
check "stats reads the regular shard: 20 records" grep -q "^records    20 " out.txt
js export z --layout seed -o zx --force; expect_rc 0
check "export writes the regular shard's 20 records" test "$(ls zx/cpu | wc -l)" = 20
js merge --format jsonl z -o zm --force; expect_rc 0
check "merge writes the regular shard's 20 records" test "$(cat zm/train-*.jsonl | wc -l)" = 20
js validate z -j 2 -q; expect_rc 1
check "validate checks the regular shard's 20 records" grep -qE "^cpu +20 +20 +0" out.txt
check "validate counts the refused files as skipped" grep -q "^skipped  2 " out.txt

mkdir m
cp ds/train-00000.jsonl m/
mkfifo m/manifest.json
set +e; $T "$JS" stats m >out.txt 2>err.txt; rc=$?; set -e
check "a FIFO manifest: stats finishes, names it and reads the shards" \
	bash -c "[ $rc = 0 ] && grep -q 'manifest.json: is a FIFO' err.txt && grep -q '^records    20 ' out.txt"
mkfifo zx/cpu/pair_000100.json
set +e; $T "$JS" stats zx >out.txt 2>err.txt; rc=$?; set -e
check "a FIFO seed pair file: stats finishes, names it and reads the rest" \
	bash -c "[ $rc = 0 ] && grep -q 'cpu/pair_000100.json:1: is a FIFO' err.txt && grep -q '^records    20 ' out.txt"
ln -s "$WORK/ds/train-00000.jsonl" m/train-00001.jsonl
js stats m; expect_rc 0
check "a link to a regular file is followed: 40 records" grep -q "^records    40 " out.txt
rm -rf z m zx zm

# --- 8: a 200 MB line ---
mkdir big
head -1 ds/train-00000.jsonl > big/train-00000.jsonl
line_of big/train-00000.jsonl 200000000
sed -n 2p ds/train-00000.jsonl >> big/train-00000.jsonl
# peak RSS in release: 786 MB (stats) to 983 MB (merge) before; ~70 MB now
max_kb=$([ "$FLAVOUR" = release ] && echo 160000 || echo 400000)
for cmd in "stats big" "merge big -o bm --format jsonl" "export big --layout seed -o bx"; do
	js_rss $cmd
	expect_rc 0
	expect_err "skipped train-00000.jsonl:2: line longer than 64 MiB"
	[ "$rss" -lt $max_kb ] || fail "$cmd: peak RSS $rss KiB, wanted < $max_kb"
	echo "ok: $cmd skips the 200 MB line by file:line, peak RSS $rss KiB"
done
check "merge keeps the 2 other records" test "$(wc -l < bm/train-00000.jsonl)" = 2
check "export keeps the 2 other records" test "$(ls bx/cpu | wc -l)" = 2
rm -rf big bm bx

# --- 8: export and merge write nothing their readers refuse ---
# A line of exactly the limit is read; as a seed pair file (indented, with
# metadata) it would be longer: export names it and leaves it out.
mkdir edge
line_of edge/train-00000.jsonl $LIMIT
head -1 ds/train-00000.jsonl >> edge/train-00000.jsonl
js export edge --layout seed -o ex; expect_rc 0
expect_err "train-00000.jsonl:1: its cpu pair file would be larger than 64 MiB"
check "export writes no pair file over 64 MiB" test -z "$(find ex -size +$((LIMIT))c)"
js stats ex; expect_rc 0
check "stats reads all of export's output" bash -c '! grep -q skipped err.txt'
# A compact seed pair of exactly the limit, no metadata: as a record (with
# category, kernel_name, meta) it would be longer; and a cpu and a cuda pair
# of 40 MB each would make an 80 MB record if joined.
mkdir -p sd/cpu sd/cuda
"$PY" - "$LIMIT" <<-'EOF'
	import json, sys
	n = int(sys.argv[1])
	head, tail = '{"python_source":"@wp.kernel\\ndef e():\\n    pass\\n","cpp_forward":"', '"}'
	open("sd/cpu/pair_000000.json", "w").write(head + "x" * (n - len(head) - len(tail)) + tail)
	pair = {"python_source": "@wp.kernel\ndef j():\n    pass\n", "cpp_forward": "y" * 40000000,
	        "metadata": {"kernel_name": "j", "category": "loop"}}
	for dev in ("cpu", "cuda"):
	    json.dump(pair, open(f"sd/{dev}/pair_000001.json", "w"))
	EOF
js merge --format jsonl sd -o sm --no-dedup; expect_rc 0
expect_err "cpu/pair_000000.json:1: as a record it would be longer than 64 MiB"
check "merge writes no line over 64 MiB" "$PY" -c '
import glob, sys
sys.exit(any(len(l) > (64 << 20) for f in glob.glob("sm/train-*.jsonl") for l in open(f, "rb")))'
check "merge keeps the 40 MB cpu and cuda pairs as two records" test "$(grep -c 'def j()' sm/train-00000.jsonl)" = 2
js stats sm; expect_rc 0
check "stats reads all of merge's output" bash -c '! grep -q skipped err.txt'
rm -rf edge ex sd sm
