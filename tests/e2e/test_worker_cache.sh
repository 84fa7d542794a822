# test_worker_cache: issue 15. The worker's codegen cache (memoised overload
# resolution and C type names, src/warp/worker.py) changes no byte of a
# dataset: kernels of every profile, with the cache and without it
# (JITSYNTH_WORKER_CACHE=0), give identical shards, rejects and manifests
# (timing aside). The cache really is on by default, off by the switch, and
# off on a Warp other than the pinned 1.19.0. And the output does not depend
# on the path Warp is installed under: the same run through the venv's
# Python reached by another path (a symlink) gives the same bytes, Warp's
# comments naming its own files relative to site-packages.
# JITSYNTH_TEST_LONG=1 compares 3000 kernels instead of 300.
# flavours: release
source "$(dirname "$0")/lib.sh"
PY=$ROOT/.venv/bin/python
N=300
[ "${JITSYNTH_TEST_LONG:-}" = 1 ] && N=3000

js generate -n $N -o cached --seed 9 --categories all --style synthetic --validate none --quiet --format jsonl
expect_rc 0
JITSYNTH_WORKER_CACHE=0 js generate -n $N -o plain --seed 9 --categories all --style synthetic --validate none --quiet --format jsonl
expect_rc 0
check "$N kernels of every profile stored" test "$(jq -r .category cached/train-00000.jsonl | sort -u | wc -l)" = 24
for f in cached/train-*.jsonl cached/rejects.jsonl; do
	check "$(basename "$f") identical with and without the cache" cmp "$f" "plain/$(basename "$f")"
done
check "manifests equal but for timing" diff <(jq 'del(.timing)' cached/manifest.json) <(jq 'del(.timing)' plain/manifest.json)

# the switch and the version pin, on the worker itself
probe() { # [env...]: prints "on R T" or "off", with the worker's stderr line
	env "$@" "$PY" - "$ROOT/src/warp" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import os
import warp
if os.environ.get("PROBE_VERSION"):
    warp.__version__ = os.environ["PROBE_VERSION"]
import worker
b = worker.Bridge()
src = "import warp as wp\n\n@wp.kernel\ndef k(a: wp.array(dtype=wp.vec3), b: wp.array(dtype=float)):\n    i = wp.tid()\n    b[i] = wp.length(a[i]) + wp.sin(b[i])\n"
b.build_module("k", src, 3)
c = worker.ACTIVE_CACHE
print("off" if c is None else "on %d %d" % (len(c.resolved), len(c.ctypes)))
EOF
}
out=$(probe 2>probe.err)
check "the cache is on by default and fills ($out)" test "$(awk '$1 == "on" && $2 > 0 && $3 > 0' <<<"$out")"
out=$(probe JITSYNTH_WORKER_CACHE=0 2>probe.err)
check "JITSYNTH_WORKER_CACHE=0 turns it off" test "$out" = off
check "... and the worker says so" grep -q "codegen cache off by JITSYNTH_WORKER_CACHE=0" probe.err
out=$(probe PROBE_VERSION=1.20.0 2>probe.err)
check "on another Warp the cache is off" test "$out" = off
check "... and the worker says why" grep -q "it patches warp-lang 1.19.0's private code generator, this is 1.20.0" probe.err

# generate says so on another Warp (here 1.19.0 claiming to be 1.20.0)
mkdir fakever
printf 'import warp\nwarp.__version__ = "1.20.0"\n' >fakever/sitecustomize.py
PYTHONPATH=$WORK/fakever js generate --categories seed -n 4 -o other --seed 2 --validate none --quiet --format jsonl
expect_rc 0
check "another Warp: generate notes that the cache is off" \
	grep -q "^jitsynth: note: Warp 1.20.0 is not the pinned 1.19.0: the workers run without their codegen cache" err.txt
check "... in one line" test "$(wc -l <err.txt)" = 1

# install-path independence: the venv through a symlink
ln -s "$(readlink -f "$ROOT/.venv")" venv-elsewhere
js generate -n 120 -o path1 --seed 4 --categories all --style synthetic --validate none --quiet --format jsonl --python "$ROOT/.venv/bin/python"
expect_rc 0
js generate -n 120 -o path2 --seed 4 --categories all --style synthetic --validate none --quiet --format jsonl --python "$WORK/venv-elsewhere/bin/python"
expect_rc 0
check "Warp's comments name its files below site-packages" grep -q '// warp/_src/math.py:[0-9]' path1/train-00000.jsonl
check "no absolute path of Warp's files in the records" test "$(grep -c 'site-packages' path1/train-00000.jsonl)" = 0
check "the same bytes through another path to the same venv" cmp path1/train-00000.jsonl path2/train-00000.jsonl
check "... rejects too" cmp path1/rejects.jsonl path2/rejects.jsonl
