# test_ingest: `jitsynth ingest` over the fixture projects in
# tests/fixtures/ingest/, through real Warp in the sandbox. mitproj/simpkg is
# a package with relative imports, a struct, overloaded and generic
# @wp.funcs, a generic kernel with declared overloads (one record each), one
# without (instantiated for float32), one float32 does not fit (reported),
# a factory kernel (reported), a file importing a missing
# dependency (paired through route 2) and modules that, at import, open a
# network connection, write outside their scratch and run a command, fork
# endlessly, allocate without bound or never return: each is stopped by the
# sandbox and reported, the run completes. Licences: MIT, Apache-2.0,
# BSD-3-Clause, none. Then: provenance on every record, ids apart from
# generated ones, merge with dedup across both, the card's origins.
# flavours: release
source "$(dirname "$0")/lib.sh"
FIX=$ROOT/tests/fixtures/ingest
export JITSYNTH_TEST_OUTSIDE=$PWD/outside
js ingest "$FIX/mitproj" "$FIX/apacheproj" "$FIX/bsdproj" "$FIX/nolicense" -o ing -j 2 --timeout 3; expect_rc 0
cat out.txt
recs() { records ing; }
rej() { jq -r --arg k "$1" 'select(.kernel_name == $k) | .reason' ing/rejects.jsonl; }
has_rec() { recs | jq -s -e "[.[] | $1] | length > 0 and all" >/dev/null; } # a jq test: true for every match, and one matches
route() { recs | jq -r --arg k "$1" 'select(.kernel_name == $k) | .source.route' | head -1; }

check "summary: 15 found, 12 paired" grep -q "^ingested 15 kernels found in 10 of 15 files (14 at module level): 12 paired, 3 not$" out.txt
check "route 1: relative imports, struct, constant, alias, overloaded func" test "$(route integrate)" = import
check "route 1: generic @wp.func, enable_backward=False gives no backward" \
	test "$(recs | jq -r 'select(.kernel_name == "energy") | .ir.cpu.backward')" = ""
check "generic kernel: one record per declared overload" \
	test "$(recs | jq -r 'select(.kernel_name == "accumulate") | .source.overload' | sort | tr '\n' ' ')" = \
	"wp.array[wp.float32],wp.array[wp.float32] wp.array[wp.vec3f],wp.array[wp.vec3f] "
check "generic kernel without overload: instantiated for float32, said so" \
	has_rec 'select(.kernel_name == "unused_generic") | .source.instantiated and (.source.overload | test("float32"))'
check "generic kernel that float32 does not fit: reported" test "$(rej unbound_generic)" = "generic without overload"
check "factory kernel: reported" test "$(rej scaler)" = factory
check "missing dependency: paired through route 2" test "$(route relax)" = standalone
check "... with the import's error" has_rec 'select(.kernel_name == "relax") | .source.import_error | test("torch")'
relax_src=$(records ing | jq -r 'select(.kernel_name == "relax") | .python_source')
check "route 2's python_source holds the kernel and its helper, not the import" \
	bash -c 'grep -q "def damp" <<<"$1" && ! grep -q "import torch" <<<"$1"' _ "$relax_src"

# the hostile modules: stopped, reported, paired from their static text
hostile_err() { recs | jq -r --arg k "$1" 'select(.kernel_name == $k) | .source.import_error'; }
check "network: refused" grep -q PermissionError <<<"$(hostile_err net_kernel)"
check "write outside the scratch: refused" grep -q "Read-only file system" <<<"$(hostile_err write_kernel)"
check "... and nothing written, no command run" test ! -e "$PWD/outside" -a ! -e "$PWD/outside.system"
check "fork bomb: refused" grep -q "PermissionError" <<<"$(hostile_err fork_kernel)"
check "unbounded allocation: MemoryError" grep -q "MemoryError" <<<"$(hostile_err mem_kernel)"
check "a module that never returns: its worker killed, reported" grep -q "^sandbox: worker gave no answer for 3 s" <<<"$(rej spin_kernel)"

# provenance on every record
check "every record: origin ingested, source with path, line, package, license" \
	test "$(recs | jq -c 'select(.origin != "ingested" or (.source | (.path and .line and .package and .license and (.module_level | type == "boolean"))) != true)' | wc -l)" = 0
lic() { recs | jq -r --arg k "$1" 'select(.kernel_name == $k) | .source.license'; }
check "licence: MIT" test "$(lic integrate)" = MIT
check "licence: Apache-2.0" test "$(lic scale_apacheproj)" = Apache-2.0
check "licence: BSD-3-Clause" test "$(lic scale_bsdproj)" = BSD-3-Clause
check "licence: none is unknown" test "$(lic scale_nolicense)" = unknown
check "source.path and line point at the def" \
	test "$(recs | jq -r 'select(.kernel_name == "integrate") | "\(.source.path):\(.source.line)"')" = "mitproj/simpkg/sim/collide.py:10"
check "category from the module path" test "$(recs | jq -r 'select(.kernel_name == "integrate") | .category')" = sim/collide
if head=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null); then
	check "a git checkout: its commit" test "$(recs | jq -r 'select(.kernel_name == "integrate") | .source.commit')" = "$head"
fi
check "forward and backward extracted from a module of many kernels" \
	has_rec 'select(.kernel_name == "integrate") | (.ir.cpu.module | test("energy_[0-9a-f]{8}_cpu_kernel_forward")) and (.ir.cpu.forward | test("^template")) and (.ir.cuda.backward | test("__global__"))'
check "manifest: found / paired / by reason" \
	test "$(jq -c '.counts.ingest | [.found, .paired, .not_paired_by_reason.factory, .not_paired_by_reason.sandbox]' ing/manifest.json)" = "[15,12,1,1]"
check "card: licences by count" grep -q "^| MIT | 10 |$" ing/README.md
js verify ing; expect_rc 0

# the same sources give the same records, whatever --jobs
js ingest "$FIX/apacheproj" "$FIX/bsdproj" "$FIX/mitproj/simpkg/sim" -o one -j 1 -q; expect_rc 0
js ingest "$FIX/apacheproj" "$FIX/bsdproj" "$FIX/mitproj/simpkg/sim" -o two -j 2 -q; expect_rc 0
check "--jobs 1 and 2: the same shard" cmp one/train-00000.jsonl.zst two/train-00000.jsonl.zst

# with generated records: ids apart, merge dedups across both
js generate --categories seed -n 11 -o gen --quiet --validate none -j 2; expect_rc 0
check "ids: ingested i-..., generated s..." test "$( (records ing; records gen) | jq -r .id | grep -cv '^[is]')" = 0
check "ids: both kinds are there" test "$( (records ing; records gen) | jq -r .id | cut -c1 | sort -u | tr -d '\n')" = is
js merge gen ing ing -o all; expect_rc 0
check "merge: the second copy of the ingested records is dropped" \
	test "$(jq -c '.counts | [.records, .per_origin.generated, .per_origin.ingested]' all/manifest.json)" = "[$((11 + 13)),11,13]"
check "merge: no ingested kernel is a duplicate of its neighbours in the file" \
	test "$(jq -r .counts.dedup.exact all/manifest.json)" = 13
check "merged card: origins" grep -q "^| ingested | 13 |$" all/README.md
js stats all; expect_rc 0
check "stats: records by origin" bash -c "grep -Eq '^  generated +11 ' out.txt && grep -Eq '^  ingested +13 ' out.txt"

# an installed package by name; errors
js ingest no_such_package_zz -o x; expect_rc 1
expect_err "is neither a directory nor a package"
echo "ingest: all checks passed"

# ---- a file that sets Warp's global config at import ----
# (wp.config.enable_backward = False, as example_fdtd_3d.py does) changes its
# own kernels only, not those of the files one worker ingests after it
js ingest "$FIX/cfgproj" -o cfg -j 1; expect_rc 0
cfgrec() { records cfg | jq -r --arg k "$1" 'select(.kernel_name == $k) | .ir.cpu.backward'; }
check "the file that turned the backward off has none" test -z "$(cfgrec no_backward)"
check "the file after it keeps its backward" test -n "$(cfgrec with_backward)"

# ---- an ingested dataset as the realism reference (stats --compare) ----
js stats cfg --compare cfg; expect_rc 0
check "the reference is the dataset's kernels, each source once" \
	grep -Eq "^  kernels measured +2 +2$" out.txt
check "a dataset against itself: distance 0" grep -q "^distance   0.000 " out.txt

# ---- the run tier on ingested records ----
# a module of one kernel runs; each record of a module holding several runs
# its own kernel (found by its kernel_name), not the module's first
js validate cfg --tier run --quiet
check "run tier: single-kernel modules execute" grep -q "^executed   2 of 2 " out.txt
js validate ing --tier run
cat out.txt
check "run tier: ingested records execute" grep -Eq "^executed   [1-9]" out.txt
check "run tier: no record is refused for sharing its module" bash -c '! grep -q "multi_kernel\|no kernel arguments of" out.txt'
