# lib: helpers sourced by the end-to-end tests. Each test runs in $WORK
# (fresh), uses $JITSYNTH_BIN, and exits non-zero on the first failed check.
set -euo pipefail
JS=${JITSYNTH_BIN:?run through tests/run.sh}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The fake worker (tests/helper/fake_worker.c): the worker protocol in C, no
# Warp. For the tests of what the C side does with Warp's answers (files,
# journal, resume, refusals), where a real worker would only cost start-up.
FAKE=$ROOT/build/${FLAVOUR:-release}/tests/fake_worker
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
check() { # description command...
	local what=$1; shift
	"$@" || fail "$what"
	echo "ok: $what"
}
# Runs jitsynth, keeping stdout/stderr in files; sets $rc.
js() { set +e; "$JS" "$@" >out.txt 2>err.txt; rc=$?; set -e; }
expect_rc() { [ "$rc" = "$1" ] || { cat err.txt >&2; fail "exit code $rc, wanted $1"; }; }
expect_err() { grep -q -- "$1" err.txt || { cat err.txt >&2; fail "stderr lacks '$1'"; }; }
# The validator temp dirs (jitsynth-chk-*) in $TMPDIR, by name.
scratch_dirs() { (cd "${TMPDIR:-/tmp}" && ls -d jitsynth-chk-* 2>/dev/null) || true; }
# Fields of /proc/PID/stat after the command name (1: state, 2: ppid, 12 and
# 13: user and system ticks, 20: start time), as an awk expression of them;
# nothing once the process is gone.
proc_stat() { # pid awk-expression, e.g. '$12 + $13'
	awk "{ sub(/^.*\\) /, \"\"); print $2 }" "/proc/$1/stat" 2>/dev/null || true
}
# Every record of a dataset directory, one per line (plain or .zst shards).
records() {
	local f
	for f in "$1"/train-*.jsonl "$1"/train-*.jsonl.zst; do
		case $f in
		*'*'*) ;;
		*.zst) zstdcat "$f" ;;
		*) cat "$f" ;;
		esac
	done
}
# Whether dataset DIR equals ./ref, the uninterrupted run: every shard and
# rejects.jsonl byte for byte, no extra shard, manifests equal but for timing.
same_as_ref() { # dir
	for f in ref/train-*.jsonl* ref/rejects.jsonl; do cmp -s "$f" "$1/$(basename "$f")" || return 1; done
	test "$(ls "$1" | grep -c '^train-')" = "$(ls ref | grep -c '^train-')" &&
		diff <(jq 'del(.timing)' ref/manifest.json) <(jq 'del(.timing)' "$1/manifest.json") >/dev/null
}
