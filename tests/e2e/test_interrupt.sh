# test_interrupt: SIGTERM (and SIGINT) stop a run cleanly: exit 1, finished
# shards kept and valid, the partial shard closed, the manifest written with
# "complete": false and counts matching what was stored.
# flavours: release
source "$(dirname "$0")/lib.sh"
for sig in TERM INT; do
	"$JS" generate --categories seed --format jsonl -n 5000 -o ds$sig --jobs 2 --shard-size 100 --quiet --validate none 2>err$sig.txt &
	pid=$!
	for _ in $(seq 200); do
		[ "$(ls ds$sig/train-*.jsonl 2>/dev/null | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	workers=$(pgrep -P $pid -f worker.py || true)
	kill -$sig $pid
	wait $pid && rc=0 || rc=$?
	check "SIG$sig: exit 1 (got $rc)" test $rc = 1
	check "SIG$sig: says it was interrupted" grep -q "interrupted after" err$sig.txt
	check "SIG$sig: manifest says incomplete" test "$(jq .complete ds$sig/manifest.json)" = false
	stored=$(cat ds$sig/train-*.jsonl | wc -l)
	check "SIG$sig: manifest counts what is stored ($stored)" test "$(jq .counts.records ds$sig/manifest.json)" = "$stored"
	check "SIG$sig: every stored line is a whole record" test "$(cat ds$sig/train-*.jsonl | jq -c .id | wc -l)" = "$stored"
	check "SIG$sig: no temporary files" test -z "$(ls -A ds$sig | grep tmp || true)"
	check "SIG$sig: workers were running" test -n "$workers"
	for w in $workers; do check "SIG$sig: worker $w is gone" bash -c "! kill -0 $w 2>/dev/null"; done
done
