# test_run_cxx: the run tier's compiler. Unless --cxx names one it is
# clang++-16 (Warp's own CPU path compiles with clang, and clang builds the
# run tier's shared objects faster than g++), and the manifest says which
# one ran, also after --resume. g++ (--cxx g++) gives byte-identical records for every profile,
# synthetic and realistic (float16, bfloat16-free and geometry kernels
# among them). A batch's modules each get a namespace of their own, so the
# @wp.func helpers Warp names alike in several modules (quat_twist_0) do
# not make a batch fail and split: 64 such kernels build as one shared
# object. clang older than 15, which cannot build builtin.h's _Float16 on
# x86-64, is refused with a message that says what to install. `validate
# --tier run` gives the same report whatever --jobs.
# flavours: release
source "$(dirname "$0")/lib.sh"
command -v clang++-16 >/dev/null || fail "clang++-16 is not installed (scripts/setup.sh installs it)"

for style in synthetic realistic; do
	js generate --format jsonl -n 64 --seed 3 -o c_$style --quiet --validate run --devices cpu --categories all \
		--style $style -j 2 --no-dedup; expect_rc 0
	check "clang++-16 runs the run tier by default ($style)" \
		test "$(jq -r .validation.toolchain.run_cxx c_$style/manifest.json)" = clang++-16
	js generate --format jsonl -n 64 --seed 3 -o g_$style --quiet --validate run --devices cpu --categories all \
		--style $style -j 2 --no-dedup --cxx g++; expect_rc 0
	check "--cxx g++ runs it with g++ ($style)" test "$(jq -r .validation.toolchain.run_cxx g_$style/manifest.json)" = g++
	check "g++ and clang give byte-identical records ($style)" cmp c_$style/train-00000.jsonl g_$style/train-00000.jsonl
	check "clang's PCH is warm: its library is in the cache ($style)" \
		bash -c "ls '$JITSYNTH_CACHE_DIR'/pch-*/libjswarm.so >/dev/null"
	check "every kernel executed ($style)" \
		test "$(records c_$style | jq -r 'select(.exec.status == "executed") | .id' | wc -l)" = 64
done
# a run stopped before its manifest, resumed without --validate run (the
# journal brings it back): the manifest still names the run tier's compiler
cp -r c_synthetic r_synthetic && rm r_synthetic/manifest.json r_synthetic/README.md
js generate --resume -o r_synthetic --quiet; expect_rc 0
check "a resumed run names clang++-16 too" test "$(jq -r .validation.toolchain.run_cxx r_synthetic/manifest.json)" = clang++-16
check "the same manifest as the run that was not stopped" \
	cmp <(jq -S 'del(.timing)' r_synthetic/manifest.json) <(jq -S 'del(.timing)' c_synthetic/manifest.json)
check "float16 kernels are among them" grep -q 'wp::float16' <(records c_synthetic | jq -r .ir.cpu.module)

# helpers defined alike in several modules of one batch
dups=$(records c_realistic | jq -r .ir.cpu.module | grep -oE '^static [^ ]+ [a-z_0-9]+_0\(' | sort | uniq -d | wc -l)
check "modules of the batch share helper names ($dups)" test "$dups" -gt 0
js validate c_realistic --tier run -j 1; expect_rc 0
check "64 kernels with shared helper names build as one shared object" grep -q '^time .*(build [0-9.]* s, 1 shared object;' out.txt
check "and all run" grep -q '^executed   64 of 64' out.txt

if command -v clang++-14 >/dev/null; then
	js validate c_realistic --tier run --cxx clang++-14; expect_rc 1
	expect_err "is clang 14, which cannot compile Warp's float16 code"
	expect_err "apt-get install clang-16"
fi

# validate --tier run builds and runs batches on --jobs threads, as many of
# even sizes as the manifest's count and EXEC_BATCH_MAX need; its report
# (each class's example is its first record's) does not depend on them
js generate --format jsonl -n 300 --seed 5 -o many --quiet --validate none --devices cpu --categories all \
	--style synthetic -j 2 --no-dedup; expect_rc 0
js validate many --tier run -j 1; expect_rc 0
grep -v '^time' out.txt >v1.txt
check "300 kernels on one thread: 2 shared objects (of 150)" grep -q '^time .*, 2 shared objects;' out.txt
js validate many --tier run -j 2; expect_rc 0
grep -v '^time' out.txt >v2.txt
check "... on two threads as well" grep -q '^time .*, 2 shared objects;' out.txt
check "the same report with -j 1 and -j 2" cmp v1.txt v2.txt
check "the report names examples" grep -q '^  .*: ' v1.txt
