#!/usr/bin/env bash
# test_layering: src/ keeps its stages' layering (tests/layering/DEPS: each
# folder includes only folders below it) and has no include cycle outside the
# generator's grammar recursion; the checker fails, naming the file, on a
# planted upward include, a sideways one between peer stages, a folder
# missing from DEPS and a cycle between two headers; and on the tree's shape
# (issue 10): a source file over 600 lines, a file named after its history.
# flavours: release
source "$(dirname "$0")/lib.sh"
CHECK="python3 $ROOT/tests/layering/check.py"

check "the tree keeps its layering" $CHECK "$ROOT/src" "$ROOT/tests/layering/DEPS"

plant() { # name: a fresh copy of src in $WORK/NAME
	rm -rf "$1" && cp -r "$ROOT/src" "$1"
}
refused() { # dir pattern: the checker fails and says pattern
	set +e
	$CHECK "$1" "$ROOT/tests/layering/DEPS" >"$1.log" 2>&1
	local st=$?
	set -e
	[ "$st" = 1 ] && grep -q -- "$2" "$1.log" || { cat "$1.log" >&2; return 1; }
}

plant up
sed -i '0,/#include "common\/buf.h"/s//#include "common\/buf.h"\n#include "pipeline\/run.h"/' up/store/jsonl.h
check "an upward include (store -> pipeline) is refused" refused up 'store/jsonl.h: includes "pipeline/run.h"'

plant side
echo '#include "warp/pool.h"' >>side/validate/scratch.h
check "a sideways include between peers (validate -> warp) is refused" refused side 'validate/scratch.h: includes "warp/pool.h"'

plant stray
mkdir stray/misc && echo '#include "common/buf.h"' >stray/misc/x.c
check "a folder missing from DEPS is refused" refused stray 'misc/: folder not listed'

plant cycle
echo '#include "store/reader.h"' >>cycle/store/jsonl.h
grep -q '"store/jsonl.h"' cycle/store/reader.h || echo '#include "store/jsonl.h"' >>cycle/store/reader.h
check "an include cycle between two headers is refused" refused cycle 'include cycle: store/'

plant long
seq 601 | sed 's|^|// |' >>long/common/buf.c
check "a file over 600 lines is refused" refused long 'common/buf.c: [0-9]* lines (at most 600'

plant named
cp named/gen/expr.c named/gen/expr_extra.c
check "a file named after its history is refused" refused named 'gen/expr_extra.c: the name states history'
