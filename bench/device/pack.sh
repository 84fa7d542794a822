#!/usr/bin/env bash
# pack: what a bare GPU host needs to run jitsynth's benches, into .devcarry/
# (ignored by git): bin/jitsynth and the Debian libraries it links, and
# Warp's Python package without its binaries (codegen and the headers need
# none of them; warp.so is 300 MB). On the host, bench/device/env.sh sets
# the paths up. For the device tool of this workplace, which copies at most
# 64 MiB of working tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
D=.devcarry
rm -rf "$D" && mkdir -p "$D/lib"
grep -qx '/.devcarry/' .git/info/exclude 2>/dev/null || echo '/.devcarry/' >>"$(git rev-parse --git-common-dir)/info/exclude"
cp bin/jitsynth "$D/"
for l in libjansson.so.4 libxxhash.so.0 libzstd.so.1 libcrypto.so.3; do
	cp -L "/lib/x86_64-linux-gnu/$l" "$D/lib/"
done
site=$(.venv/bin/python -c 'import warp, os; print(os.path.dirname(os.path.dirname(warp.__file__)))')
tar -C "$site" --exclude=warp/bin --exclude=warp/examples/assets -czf "$D/warp.tgz" warp
du -sh "$D"
