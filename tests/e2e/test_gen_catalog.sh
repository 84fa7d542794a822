# test_gen_catalog: the generator's builtin catalog is Warp's own table: a
# fresh dump of the pinned warp-lang (worker.py --dump-builtins) regenerates
# src/gen/catalog.tsv and catalog_table.c byte for byte, so every entry the
# generator may emit (test_gen's test_catalog checks that) exists in Warp.
# flavours: release
source "$(dirname "$0")/lib.sh"
PY=${JITSYNTH_PYTHON:-$ROOT/.venv/bin/python}
"$ROOT/src/gen/catalog.sh" "$PY" "$WORK"
check "catalog.tsv matches the pinned Warp's builtins" diff "$ROOT/src/gen/catalog.tsv" catalog.tsv
check "catalog_table.c is generated from catalog.tsv" diff "$ROOT/src/gen/catalog_table.c" catalog_table.c
check "at least 300 builtins in 10+ groups" test "$(grep -vc '^#' catalog.tsv)" -ge 300 -a \
	"$(grep -v '^#' catalog.tsv | cut -f2 | sort -u | wc -l)" -ge 10
