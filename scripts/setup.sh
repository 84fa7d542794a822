#!/usr/bin/env bash
# setup: installs what jitsynth needs on a fresh Debian 12 machine, and does
# nothing when it is already there: the C libraries (apt) and a .venv with
# the pinned warp-lang (pip). Called by `make run`, `make test`, `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(gcc g++ make pkg-config libjansson-dev libcmocka-dev libzstd-dev libxxhash-dev libssl-dev jq util-linux bubblewrap clang clang-16 libclang-rt-14-dev valgrind python3 python3-venv zstd time)
PYTHON=${PYTHON:-python3}

missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}" >&2
	if [ "$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else
		echo "setup: need root to install ${missing[*]} (apt-get install ${missing[*]})" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=.venv/.jitsynth-requirements
if [ ! -x .venv/bin/python ] || ! cmp -s requirements.txt "$stamp"; then
	command -v "$PYTHON" >/dev/null || { echo "setup: $PYTHON not found: install Python 3.9+ (apt-get install python3 python3-venv zstd time)" >&2; exit 1; }
	echo "setup: creating .venv with $(grep -v '^#' requirements.txt | tr '\n' ' ')" >&2
	"$PYTHON" -m venv .venv
	.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
	cp requirements.txt "$stamp"
fi
