# test_worker_memory: a Warp worker's memory stays flat over a run of the
# profiles whose kernels call @wp.func helpers of Warp's own Python modules
# (norm_l1, lerp, ... in transform, quaternion, matrix, linalg kernels).
# Warp enters each such kernel's module in the long-lived module's
# `dependents` set; before the worker detached it on release, every kernel
# stayed alive (36 KB each for transform kernels: +70 MiB over this run).
# The manifest's timeline samples the worker's RSS every 1000 kernels.
# flavours: release
source "$(dirname "$0")/lib.sh"
js generate --format jsonl -n 4000 -o ds --seed 21 --quiet --validate none --jobs 1 --categories transform,quaternion,linalg,matrix
expect_rc 0
check "no rejects" test "$(wc -l < ds/rejects.jsonl)" = 0
rss() { jq ".timing.timeline[$1][2]" ds/manifest.json; }
first=$(rss 0) last=$(rss 3)
echo "worker RSS after 1000 kernels: $first KiB, after 4000: $last KiB"
check "worker RSS grows < 6 MiB over 3000 kernels ($first -> $last KiB)" test $((last - first)) -lt 6144
