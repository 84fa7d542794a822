# test_sandbox: `jitsynth validate` of a seed-layout dataset runs each pair's
# python_source through Warp, in the sandbox (src/warp/sandbox.c). Planted
# pairs run os.system() at import to touch a file outside the scratch dir,
# write one with open(), open a network connection, fork endlessly and
# allocate without bound: none takes effect outside the sandbox, each pair is
# reported with the reason, the clean pairs pass and the run completes. Also:
# without bubblewrap, one line says how to install it.
# flavours: release
source "$(dirname "$0")/lib.sh"
js generate --categories seed -n 7 -o ds --quiet --validate none -j 2 --devices cpu; expect_rc 0
js export ds --layout seed -o seed; expect_rc 0
cp -r seed bad
plant() { # pair-number python-prefix
	local f=bad/cpu/pair_00000$1.json
	jq --arg pre "$2" '.python_source = $pre + .python_source' "seed/cpu/pair_00000$1.json" >"$f"
}
out=$PWD/outside
plant 1 "import os
os.system('touch $out.system; echo pwned > $out.echo')
"
plant 2 "open('$out.open', 'w').write('x')
"
plant 3 "import socket
socket.create_connection(('127.0.0.1', 9), timeout=2)
"
plant 4 "import os
while True:
    os.fork()
"
plant 5 "x = bytearray(16 << 30)
"
plant 6 "import os
r = os.system('true')
assert r == 0, 'os.system ran nothing: %r' % r
"
js validate bad -j 2 --devices cpu; expect_rc 1
cat out.txt
reason_has() { grep -A1 "^FAIL cpu/pair_00000$1.json" out.txt | grep -q "$2"; } # pair text
check "os.system: no file outside the sandbox" test ! -e "$out.system" -a ! -e "$out.echo"
check "open(): no file outside the sandbox" test ! -e "$out.open"
check "open(): reported as a read-only file system" \
	grep -q "^FAIL cpu/pair_000002.json:1 .*Warp refuses the python_source" out.txt
check "... with the reason" reason_has 2 "Read-only file system"
check "network: reported, refused" reason_has 3 "PermissionError"
check "fork: reported, refused" reason_has 4 "PermissionError"
check "allocation: reported, out of memory" reason_has 5 "MemoryError"
check "os.system: starts no process" reason_has 6 "os.system ran nothing"
check "the other pairs pass, the run completes" grep -q "^cpu  *7  *2  *5$" out.txt

# the same run outside a sandbox would have made the file: the plant works
mkdir -p plain && cd plain
python3 -c "import os; os.system('touch $out.control')"
cd ..
check "control: the planted command works unsandboxed" test -e "$out.control"

# without bubblewrap on PATH: one line, how to fix it, exit 1
mkdir nobwrap
for t in prlimit g++; do ln -s "$(command -v $t)" nobwrap/$t; done
PATH=$PWD/nobwrap js validate bad -j 1 --devices cpu; expect_rc 1
cat err.txt
expect_err "needs bubblewrap: install it (apt-get install bubblewrap)"
check "without bubblewrap: one line" test "$(wc -l <err.txt)" = 1
echo "sandbox: all checks passed"
