# test_cli_errors: issue 2, acceptance 4. Bad flags give a usage message and
# exit 2; an unwritable output directory, a missing Python and a Python
# without warp-lang give one clear line and exit 1; nothing is overwritten.
source "$(dirname "$0")/lib.sh"

for args in "-n" "-n abc" "-n 0" "-n -5" "--jobs 0" "--devices gpu" "--categories loop,bogus" \
	"--shard-size x" "--timeout -1" "--frobnicate" "-n 5 extra"; do
	js generate --format jsonl $args -o x
	expect_rc 2
	check "'generate $args' is a usage error" grep -q "try 'jitsynth generate --help'" err.txt
done
js sample --category nope; expect_rc 2
js frobnicate; expect_rc 2
js; expect_rc 2
js generate --help; expect_rc 0
check "--help documents --jobs" grep -q -- "--jobs" out.txt
js sample --help; expect_rc 0
js --version; expect_rc 0

# output directory that cannot be created or written
: > plainfile
js generate --categories seed --format jsonl -n 5 -o plainfile/sub --quiet; expect_rc 1
expect_err "cannot create output directory 'plainfile/sub'"
check "one line" test "$(wc -l < err.txt)" = 1
mkdir ro && chmod 555 ro
if [ "$(id -u)" = 0 ]; then # root writes anywhere: drop to nobody for this check
	chmod 755 "$WORK"
	set +e; setpriv --reuid=65534 --regid=65534 --clear-groups "$JS" generate --categories seed --format jsonl -n 5 -o ro --quiet >out.txt 2>err.txt; rc=$?; set -e
else
	js generate --categories seed --format jsonl -n 5 -o ro --quiet
fi
expect_rc 1
expect_err "output directory 'ro' is not writable"

# Python missing, warp-lang missing
js generate --categories seed --format jsonl -n 5 -o nopy --python /nonexistent/python3 --quiet; expect_rc 1
expect_err "cannot run Python '/nonexistent/python3'"
check "one line" test "$(wc -l < err.txt)" = 1
python3 -m venv --without-pip nowarp
js generate --categories seed --format jsonl -n 5 -o nowarp-out --python "$WORK/nowarp/bin/python" --quiet; expect_rc 1
expect_err "Warp cannot be used by .*No module named 'warp'.*make setup"
check "one line" test "$(wc -l < err.txt)" = 1

# workers that die at start-up without a word: give up after 3 tries, not spin
start=$SECONDS
js generate --categories seed --format jsonl -n 5 -o dying --python /bin/false --quiet --validate none; expect_rc 1
expect_err "Warp workers keep failing at start-up (exited, exited with status 1)"
check "gives up within 10 s" test $((SECONDS - start)) -lt 10
check "one line" test "$(wc -l < err.txt)" = 1
# the same Python with validation on: the compilers start only once a worker
# is ready (with the headers it reports), so the same clear line
js generate --categories seed --format jsonl -n 5 -o dying2 --python /bin/false --quiet; expect_rc 1
expect_err "Warp workers keep failing at start-up (exited, exited with status 1).*make setup"
check "one line" test "$(wc -l < err.txt)" = 1

# an existing dataset is not overwritten without --force
js generate --categories seed --format jsonl -n 3 -o ds --quiet; expect_rc 0
before=$(cat ds/train-00000.jsonl | md5sum)
js generate --categories seed --format jsonl -n 4 -o ds --quiet; expect_rc 1
expect_err "already holds a dataset"
check "dataset untouched" test "$(cat ds/train-00000.jsonl | md5sum)" = "$before"
js generate --categories seed --format jsonl -n 4 -o ds --force --quiet; expect_rc 0
check "--force replaced it" test "$(wc -l < ds/train-00000.jsonl)" = 4

# no libnvrtc (issue 4, acceptance 5): CUDA validation fails fast with one
# line; --devices cpu and --validate none still work
start=$SECONDS
JITSYNTH_NVRTC=/nonexistent/libnvrtc.so js generate --categories seed --format jsonl -n 4 -o nonvrtc --quiet; expect_rc 1
expect_err "NVRTC not found (/nonexistent/libnvrtc.so): install the CUDA toolkit or use --validate none / --devices cpu"
check "one line" test "$(wc -l < err.txt)" = 1
check "fails fast (< 10 s)" test $((SECONDS - start)) -lt 10
check "no dataset claimed" test ! -e nonvrtc/manifest.json -o "$(jq .complete nonvrtc/manifest.json 2>/dev/null)" != true
JITSYNTH_NVRTC=/nonexistent/libnvrtc.so js generate --categories seed --format jsonl -n 4 -o nonvrtc-cpu --devices cpu --quiet; expect_rc 0
check "--devices cpu: 4 records, validated by g++" test "$(jq -r .meta.validated.cpu nonvrtc-cpu/train-00000.jsonl | grep -c syntax)" = 4
JITSYNTH_NVRTC=/nonexistent/libnvrtc.so js generate --categories seed --format jsonl -n 4 -o nonvrtc-none --validate none --quiet; expect_rc 0
check "--validate none: 4 records, both devices" test "$(jq -r '.ir | keys | join(",")' nonvrtc-none/train-00000.jsonl | grep -c '^cpu,cuda$')" = 4
