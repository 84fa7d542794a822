# test_html: `stats --html` writes one self-contained page that headless
# Chromium (Debian's, installed by scripts/setup-test.sh) renders without
# console errors; the page has its charts and category labels, the kernel
# shape histograms (statements, nesting depth), the catalog coverage table
# per Warp group and the reject reasons table (rejects are planted); a
# screenshot is kept in $WORK/report.png. A dataset whose manifest and
# records carry script (warp_version, a category, a kernel name) gives a page
# on which none of it runs: the text is shown, escaped.
source "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || fail "no chromium: run scripts/setup-test.sh"
JITSYNTH_TEST_REJECT=5,60 js generate --categories seed --format jsonl -n 110 -o ds --seed 11 --quiet; expect_rc 0
js stats ds --html report.html --quiet; expect_rc 0
check "report written" test -s report.html
check "no network references" bash -c '! grep -qiE "(src|href)=\"(https?:)?//" report.html'
check "no script" bash -c '! grep -qi "<script" report.html'
check "well-formed XML-ish svg count >= 10" test "$(grep -o '<svg' report.html | wc -l)" -ge 10

# Chromium's singleton socket lives in TMPDIR and a socket path has at most
# 107 bytes: give it a short TMPDIR of its own (a deep checkout's is too long).
CHROME_TMP=$(mktemp -d /tmp/jitsynth-chrome.XXXXXX)
trap 'rm -rf "$CHROME_TMP"' EXIT
chrome() { TMPDIR=$CHROME_TMP timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
	--user-data-dir="$WORK/chrome" "$@" "file://$WORK/${PAGE:-report.html}"; }
chrome --dump-dom > dom.html 2> dom.err || fail "chromium --dump-dom failed: $(tail -3 dom.err)"
chrome --enable-logging=stderr --v=0 --screenshot="$WORK/report.png" --window-size=1300,2600 > shot.out 2> shot.err \
	|| fail "chromium --screenshot failed: $(tail -3 shot.err)"
check "screenshot taken" test -s report.png
check "no console messages or JS errors" bash -c '! grep -E "CONSOLE|Uncaught|SyntaxError" shot.err dom.err'
check "DOM has the charts (>= 10 svg)" test "$(grep -o '<svg' dom.html | wc -l)" -ge 10
check "DOM has the 6 length and 2 shape histograms" test "$(grep -o 'class="chart hist"' dom.html | wc -l)" = 8
for h in "Statements per kernel" "Nesting depth per kernel"; do
	grep -q "<figcaption>$h</figcaption>" dom.html || fail "histogram '$h' missing"
done
echo "ok: statements and nesting-depth histograms"
groups=$(jq '.metrics.builtins.groups | length' ds/manifest.json)
check "catalog coverage table: one row per Warp group ($groups) and a total" \
	test "$(sed -n '/class="t coverage"/,/<\/table>/p' dom.html | grep -o '<tr' | wc -l)" = $((groups + 2))
used=$(jq '.metrics.builtins.groups["Scalar Math"].used' ds/manifest.json)
size=$(jq '.metrics.builtins.groups["Scalar Math"].size' ds/manifest.json)
check "coverage row as in the manifest (Scalar Math $used / $size)" \
	grep -q "<td>Scalar Math</td><td class=\"n\">$used</td><td class=\"n\">$size</td>" dom.html
check "reject reasons table with the planted rejects" \
	grep -q '<tr><td><code>warp: WarpCodegenError</code></td><td class="n">2</td>' dom.html
for c in arithmetic conditional loop math vector atomic nested multi_cond combined scalar_param random_math; do
	grep -q ">$c<" dom.html || fail "category label $c missing"
done
echo "ok: all 11 category labels"
for h in Categories Lengths "Kernel shape" "Builtin coverage" Validation Rejects Dedup "Example pairs"; do
	grep -q "<h2>$h</h2>" dom.html || fail "section $h missing"
done
echo "ok: every section"
check "3 example pairs side by side" test "$(grep -o 'class="pair"' dom.html | wc -l)" = 3
check "code is escaped (no raw template <bool)" bash -c '! grep -q "template <bool" dom.html && grep -q "template &lt;bool" dom.html'

# --- script from the dataset does not run ---
cp -r ds evil
run='document.documentElement.dataset'
jq --arg s "<script>$run.pwned = 6 * 7</script><img src=x onerror=\"$run.img = 6 * 7\">" \
	'.warp_version = $s' ds/manifest.json > evil/manifest.json
{
	head -1 ds/train-00000.jsonl |
		jq -c --arg s "<script>$run.cat = 6 * 7</script>" '.category = $s | .kernel_name = $s'
	tail -n +2 ds/train-00000.jsonl
} > evil/train-00000.jsonl.new
mv evil/train-00000.jsonl.new evil/train-00000.jsonl
js stats evil --html evil.html --quiet; expect_rc 0
check "hostile page: no raw <script> or <img" bash -c '! grep -qiE "<(script|img)" evil.html'
PAGE=evil.html chrome --dump-dom > evil-dom.html 2> evil-dom.err ||
	fail "chromium --dump-dom failed: $(tail -3 evil-dom.err)"
check "hostile page: the dataset's script did not run" bash -c '! grep -qE "data-(pwned|img|cat)=" evil-dom.html'
check "hostile page: warp_version shown as text" \
	grep -qF "Warp &lt;script&gt;$run.pwned = 6 * 7&lt;/script&gt;" evil-dom.html
