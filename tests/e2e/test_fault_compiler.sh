# test_fault_compiler: a validation compiler that stops working mid-run
# (here a g++ killed by SIGKILL after its first few calls, as the OOM killer
# would) says nothing about the kernels it was given: the run stops with one
# line naming the compiler and the kernel, rejects no kernel for it, keeps
# the shards it finished, and `--resume` with a working compiler ends with
# exactly the dataset of an uninterrupted run.
source "$(dirname "$0")/lib.sh"
N=${N:-200} # two compiler batches (CHK_BATCH_SYNTAX is 128): one passes, one is killed
OPTS="-n $N --seed 3 --shard-size 8 --jobs 2 --devices cpu --quiet --categories seed"
"$JS" generate --format jsonl $OPTS -o ref
check "reference run complete" test "$(jq .complete ref/manifest.json)" = true

# g++ for the first 3 calls (the version probe, the PCH build and the first
# batch), then killed, once that first batch is compiled (the second, the
# run's last 72 kernels, may start compiling on the other thread before)
cat >gxx <<SH
#!/usr/bin/env bash
n=\$(flock "$WORK/count" bash -c 'n=\$((\$(cat "$WORK/count" 2>/dev/null || echo 0) + 1)); echo \$n >"$WORK/count"; echo \$n')
if [ "\$n" -gt 3 ]; then
	for i in \$(seq 600); do [ -e "$WORK/first-done" ] && break; sleep 0.1; done
	kill -9 \$\$
fi
if [ "\$n" = 3 ]; then
	g++ "\$@"
	rc=\$?
	touch "$WORK/first-done"
	exit \$rc
fi
exec g++ "\$@"
SH
chmod +x gxx
js generate --format jsonl $OPTS -o ds --cxx "$WORK/gxx"; expect_rc 1
expect_err "the C++ compiler could not be run on kernel [0-9]*: .*killed by signal 9"
check "the error is one line, then the resume hint" test "$(head -1 err.txt | grep -c 'could not be run')" = 1
check "the hint names --resume" grep -q -- "--resume" err.txt
check "no kernel rejected for it" test "$(cat ds/rejects.jsonl ds/.rejects.jsonl.tmp 2>/dev/null | grep -c '"stage": *"validate"' || true)" = 0
check "the run is not claimed complete" test ! -e ds/manifest.json -o "$(jq .complete ds/manifest.json 2>/dev/null)" != true

js generate --resume -o ds --quiet; expect_rc 0
for f in ref/train-*.jsonl ref/rejects.jsonl; do
	check "resumed: $(basename "$f") identical to the uninterrupted run" cmp "$f" "ds/$(basename "$f")"
done
check "resumed: manifest equal but for timing" diff <(jq 'del(.timing)' ref/manifest.json) <(jq 'del(.timing)' ds/manifest.json)
