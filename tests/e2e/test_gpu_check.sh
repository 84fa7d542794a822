# test_gpu_check: `validate --tier run --devices cuda` (make gpu-check) on a
# machine without a GPU or its driver says so in one line and exits 1; with
# JITSYNTH_LIBCUDA at a library that is no driver, the same. On a machine
# with an NVIDIA GPU (make gpu-check there) the comparison itself runs.
# Everywhere, through a fake driver (tests/helper/fake_libcuda.c: NVRTC
# really compiles, the launch does nothing, so every kernel diverges), the
# divergence path with its conditioning on real Warp modules and the real
# CPU runner: a smooth kernel's divergence is well-conditioned, an
# amplifying chain's and a discontinuity's are ill-conditioned; each keeps
# its line in divergences.jsonl, and the table counts them.
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

# ---- conditioning, through the fake driver ----
cc -shared -fPIC -O1 -o libcuda-fake.so "$ROOT/tests/helper/fake_libcuda.c" || fail "cannot build the fake driver"
mkdir kin
cat >kin/k.py <<'PY'
import warp as wp


@wp.kernel
def smooth(a: wp.array(dtype=float), out: wp.array(dtype=float)):
    tid = wp.tid()
    out[tid] = a[tid] * 2.0 + 1.0


@wp.kernel
def amplified(a: wp.array(dtype=float), out: wp.array(dtype=float)):
    tid = wp.tid()
    out[tid] = wp.sin(a[tid] * 1.0e7)


@wp.kernel
def stepped(a: wp.array(dtype=float), out: wp.array(dtype=float)):
    tid = wp.tid()
    x = a[tid] * 1.0e7
    out[tid] = x - wp.floor(x)
PY
js ingest kin -o kds --format jsonl -j 1 --quiet; expect_rc 0
check "three kernels with both modules" \
	test "$(records kds | jq -r 'select(.ir.cpu.module and .ir.cuda.module) | .kernel_name' | wc -l)" = 3
JITSYNTH_LIBCUDA=$PWD/libcuda-fake.so js validate kds --tier run --devices cuda
cat out.txt
expect_rc 1
check "the fake device ran" grep -q "cpu against cuda on Fake GPU (no launch)" out.txt
check "three well-defined kernels diverge" grep -Eq "^well-defined +3 +0 +3 +0$" out.txt
check "two of them ill-conditioned" grep -q "^ill-conditioned well-defined 2, other 0 " out.txt
check "plain agreement as before" grep -q "^result     0.00% of well-defined kernels agree; divergences in" out.txt
check "agreement with the ill-conditioned" grep -q "^           66.67% of well-defined kernels agree or are ill-conditioned$" out.txt
d=kds/divergences.jsonl
check "every divergence kept" test "$(wc -l <$d)" = 3
cond() { jq -r --arg k "$1" 'select(.kernel_name == $k) | .conditioning.ill_conditioned' $d; }
rel() { jq -r --arg k "$1" 'select(.kernel_name == $k) | .conditioning.cpu_rel_change' $d; }
check "smooth: well-conditioned" test "$(cond smooth)" = false
check "smooth: its CPU output did move ($(rel smooth)), within the tolerance" \
	jq -se 'map(select(.kernel_name == "smooth"))[0].conditioning.cpu_rel_change > 0' $d >/dev/null
check "amplified: ill-conditioned" test "$(cond amplified)" = true
check "stepped: ill-conditioned" test "$(cond stepped)" = true
check "amplified: its CPU output moved past the tolerance ($(rel amplified))" \
	jq -se 'map(select(.kernel_name == "amplified"))[0].conditioning.cpu_rel_change > 1e-3' $d >/dev/null
check "still cpu_cuda divergences, with their reproducers" \
	test "$(jq -r 'select(.divergence == "cpu_cuda" and .reproducer.python_source) | .id' $d | wc -l)" = 3
check "conditioning sits beside the verdict" \
	test "$(head -1 $d | jq -r 'keys_unsorted | .[0:9] | join(",")')" = "id,kernel_name,category,well_defined,divergence,param,first_index,max_rel_err,conditioning"
