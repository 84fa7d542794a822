# test_gpu_check: `validate --tier run --devices cuda` (make gpu-check) on a
# machine without a GPU or its driver says so in one line and exits 1; with
# JITSYNTH_LIBCUDA at a library that is no driver, the same. On a machine
# with an NVIDIA GPU (make gpu-check there) the comparison itself runs.
# flavours: release
source "$(dirname "$0")/lib.sh"
js generate --categories seed -n 6 --seed 4 -o ds --quiet --validate none; expect_rc 0
if [ -e /dev/nvidiactl ] && ldconfig -p | grep -q libcuda.so.1; then
	js validate ds --tier run --devices cuda; cat out.txt
	check "a GPU: kernels compared" grep -q "^well-defined " out.txt
else
	JITSYNTH_LIBCUDA=/nonexistent/libcuda.so.1 js validate ds --tier run --devices cuda
	expect_rc 1
	expect_err "no CUDA driver (/nonexistent/libcuda.so.1): run on a machine with an NVIDIA GPU"
	check "one line" test "$(wc -l < err.txt)" = 1
	check "no divergences file for a check that never ran" test ! -e ds/divergences.jsonl
fi
