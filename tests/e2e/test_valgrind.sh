# test_valgrind: issue 6, acceptance 4. valgrind memcheck of an end-to-end
# `generate -n 200` (the C process; the Python workers are not traced):
# 0 errors, 0 bytes definitely lost. Skipped in the sanitizer build, whose
# binary valgrind cannot run (ASan covers it there).
# flavours: release
source "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || fail "valgrind missing: run make setup"
set +e
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	--suppressions="$ROOT/tests/valgrind.supp" \
	--trace-children=no --log-file=vg.log "$JS" generate --categories seed --format jsonl -n 200 -o ds --jobs 2 --quiet
rc=$?
set -e
grep -E "ERROR SUMMARY|definitely lost" vg.log
check "valgrind exit code 0 (got $rc)" test $rc = 0
check "0 errors" grep -q "ERROR SUMMARY: 0 errors" vg.log
check "0 bytes definitely lost" bash -c 'grep -q "definitely lost: 0 bytes" vg.log || grep -q "All heap blocks were freed" vg.log'
check "200 kernels stored" test $(( $(records ds | wc -l) + $(wc -l < ds/rejects.jsonl) )) = 200
