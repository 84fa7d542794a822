#!/usr/bin/env bash
# submit.sh: a jitsynth run on a Slurm cluster, as an array of N parts and a
# merge. Task K of `sbatch --array=0-(N-1) part.sbatch` makes part K/N into
# OUT/parts/part-K (`generate --part K/N`); merge.sbatch, which depends on
# the whole array (afterany), joins them into OUT/data, byte for byte the
# dataset `jitsynth generate` writes on one machine with the same options.
# OUT must be on a file system every node sees.
#   usage: scripts/slurm/submit.sh [--wait] [--sbatch 'OPTIONS'] N OUT -- [generate options]
#   e.g.   scripts/slurm/submit.sh --sbatch '--cpus-per-task=16 --time=4:00:00' 64 /shared/run1 -- -n 10000000 --seed 7
# --wait: wait for the array (`sbatch --wait`), then for the merge; exit 0
# only when the merge succeeded. Without it both jobs are queued and their
# ids printed. Logs: jitsynth-part-JOB_K.out and jitsynth-merge-JOB.out in
# the directory sbatch runs from. A failed task: see its log, run it again
# (`sbatch --array=K part.sbatch OUT N [options]`, which resumes an
# interrupted part), then `sbatch merge.sbatch OUT N`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wait= extra=
while [ $# -gt 0 ]; do
	case $1 in
	--wait) wait=--wait; shift ;;
	--sbatch) extra=${2:?--sbatch wants options}; shift 2 ;;
	*) break ;;
	esac
done
usage="usage: $0 [--wait] [--sbatch 'OPTIONS'] N OUT -- [generate options]"
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
n=$1 out=$2
shift 2
[ "${1:-}" = -- ] && shift
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N wants a positive count, not '$n'" >&2; exit 2; }
export JITSYNTH=${JITSYNTH:-$here/../../bin/jitsynth}
[ -x "$JITSYNTH" ] || { echo "submit.sh: no jitsynth at $JITSYNTH (make, or set JITSYNTH)" >&2; exit 1; }
JITSYNTH=$(cd "$(dirname "$JITSYNTH")" && pwd)/$(basename "$JITSYNTH")
mkdir -p "$out"
out=$(cd "$out" && pwd)
# shellcheck disable=SC2086 # $extra is sbatch options, split on purpose
if [ -n "$wait" ]; then
	set +e
	sbatch --wait --array=0-$((n - 1)) $extra "$here/part.sbatch" "$out" "$n" "$@"
	array_rc=$?
	set -e
	[ "$array_rc" = 0 ] || echo "submit.sh: a task of the array failed (exit $array_rc); the merge will name the part" >&2
	sbatch --wait $extra "$here/merge.sbatch" "$out" "$n"
else
	aid=$(sbatch --parsable --array=0-$((n - 1)) $extra "$here/part.sbatch" "$out" "$n" "$@")
	mid=$(sbatch --parsable --dependency=afterany:"${aid%%;*}" $extra "$here/merge.sbatch" "$out" "$n")
	echo "array job $aid (parts into $out/parts), merge job $mid (into $out/data)"
fi
