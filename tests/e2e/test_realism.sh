# test_realism: the realism measure of `jitsynth stats`. On a fixture
# reference of hand-written Warp code (tests/fixtures/realism/ref: kernels
# with guards, helpers, indirection, CSR ranges, a 2-D launch, a nested
# kernel in a test function, decoys in strings and docstrings) the kernels
# are found and counted as written; a reference compared with itself is at
# distance 0; a real dataset compared with it prints both columns, each
# feature's distance and one mean, in the table and the HTML page (escaped).
# A hostile reference (a FIFO named .py, a link to a directory, an oversized
# file, a __pycache__) is read without hanging, the bad entries named and
# skipped.
source "$(dirname "$0")/lib.sh"
REF=$ROOT/tests/fixtures/realism/ref
row() { sed -n "/^  $1/,/^\$/{s/^    $2.* \([0-9.]*%\)$/\1/p}" out.txt | head -1; } # first column only

js stats --sources "$REF"; expect_rc 0
check "3 .py files read (notes.txt is not Python)" grep -q "^sources .*(3 .py files, 0 skipped)" out.txt
check "6 kernels: decoys in strings and another library's @kernel are not counted" grep -qE "^  kernels measured +6$" out.txt
check "one of 6 kernels launches 2-D" test "$(row launch 2-D)" = "16.7%"
check "2 of 6 kernels have an index indirection (gather, CSR range)" test "$(row index yes)" = "33.3%"
check "1 of 6 kernels has an early return" test "$(row early yes)" = "16.7%"
check "1 of 6 kernels calls a helper" test "$(row calls yes)" = "16.7%"
check "annotation styles: 10 subscript, 3 call of 13 arrays" test "$(row 'array annotation' subscript)" = "76.9%"
check "float64 arrays: 2 of 13" test "$(row 'array dtypes' float64)" = "15.4%"

js stats --sources "$REF" --compare "$REF"; expect_rc 0
check "a reference against itself: distance 0" grep -q "^distance   0.000 " out.txt
check "no bucket off" grep -q "^off >2x    0 buckets" out.txt

# a real dataset against the fixture
js generate --categories seed -n 22 -o ds --seed 11 --validate none -j 1 --quiet; expect_rc 0
js stats ds --compare "$REF" --compare "$REF/particles.py" --html report.html; expect_rc 0
check "both columns" grep -qE "^realism .* dataset +reference$" out.txt
check "22 kernels beside 10 (the directory and one file of it, pooled)" grep -qE "^  kernels measured +22 +10$" out.txt
d=$(sed -n 's/^distance   \([0-9.]*\) .*/\1/p' out.txt)
check "distance ${d:-?} in (0, 1]" awk -v d="${d:-x}" 'BEGIN { exit !(d > 0 && d <= 1) }'
check "20 features with their own distance" test "$(grep -cE '^  .* TV [0-9]\.[0-9]{3}$' out.txt)" = 20
check "the page has the realism table and the same distance" grep -q "Distance: <b>$d</b>" report.html
check "the dataset's usual figures are still there" grep -q "^uniqueness" out.txt

# hostile reference: FIFO, link to a directory (a loop), oversized file, __pycache__
mkdir -p evil/__pycache__ "evil/<b>x</b>"
cp "$REF/particles.py" "evil/<b>x</b>/k.py"
mkfifo evil/fifo.py
ln -s .. evil/loop
printf '@wp.kernel\ndef cached(): pass\n' > evil/__pycache__/stale.py
head -c $((17 << 20)) /dev/zero | tr '\0' ' ' > evil/big.py
timeout 20 "$JS" stats --sources evil --compare evil --html evil.html > out.txt 2> err.txt; rc=$?
expect_rc 0
check "the FIFO is named and skipped" grep -q "evil/fifo.py: .*not a regular file" err.txt
check "the oversized file is named and skipped" grep -q "evil/big.py: larger than 16 MiB" err.txt
check "4 kernels: the link to a directory is not followed, __pycache__ not read" grep -qE "^  kernels measured +4 +4$" out.txt
check "the page escapes the path" bash -c '! grep -q "<b>x</b>" evil.html'

js stats ds --compare nope; expect_rc 1
expect_err "reference 'nope': No such file or directory"
js stats ds --compare; expect_rc 2
expect_err "option '--compare' needs a value"

# the realistic style reads closer to Warp's own code than the synthetic one
WARP=$("$ROOT/.venv/bin/python" -c 'import os, warp; print(os.path.dirname(warp.__file__))' 2>/dev/null || true)
if [ -d "$WARP/examples" ]; then
	"$JS" sample -n 2400 --categories all --style synthetic --seed 11 > syn.py
	"$JS" sample -n 2400 --seed 11 > real.py # the default: every profile, realistic
	js stats --sources syn.py --compare "$WARP/examples" --compare "$WARP/_src" --compare "$WARP/tests"; expect_rc 0
	ds=$(sed -n 's/^distance   \([0-9.]*\) .*/\1/p' out.txt)
	js stats --sources real.py --compare "$WARP/examples" --compare "$WARP/_src" --compare "$WARP/tests"; expect_rc 0
	dr=$(sed -n 's/^distance   \([0-9.]*\) .*/\1/p' out.txt)
	check "realistic ${dr:-?} at most 0.6 of synthetic ${ds:-?} from Warp's shipped code" \
		awk -v r="${dr:-9}" -v s="${ds:-0}" 'BEGIN { exit !(r <= 0.6 * s) }'
	check "realistic: no bucket off by more than 2x" grep -q "^off >2x    0 buckets" out.txt
else
	echo "skip: no warp-lang in .venv for the shipped reference"
fi

# a dataset of the default (every profile, realistic): the style is
# recorded, the same as asked for explicitly, byte-identical whatever --jobs
js generate -n 24 -o r1 --seed 5 --validate none -j 1 --quiet; expect_rc 0
js generate -n 24 -o r2 --seed 5 --categories all --style realistic --validate none -j 2 --quiet; expect_rc 0
check "the manifest records --style realistic" test "$(jq -r .options.style r1/manifest.json)" = realistic
check "the manifest records every profile" test "$(jq -r '.options.categories | length' r1/manifest.json)" = 24
check "the same records with -j 1 and -j 2" cmp <(records r1) <(records r2)
check "the same shard files with -j 1 and -j 2" bash -c 'for f in r1/train-*; do cmp "$f" "r2/${f#r1/}" || exit 1; done'
check "24 realistic records, one of each profile" test "$(records r1 | jq -r .category | sort -u | wc -l)" = 24
records r1 > r1.txt
check "the records hold realistic kernels (subscript annotations)" grep -q 'wp.array\[' r1.txt
