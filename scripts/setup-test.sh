#!/usr/bin/env bash
# setup-test: what only the tests need, on top of scripts/setup.sh: headless
# Chromium (Debian's `chromium`, for the HTML report test), Slurm and MUNGE
# (`slurm-wlm`, `munge`: test_slurm starts a single-node cluster of its own;
# it uses none of their system-wide services) and the Python packages of
# requirements-test.txt in .venv. Idempotent, like setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium slurm-wlm munge)

missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup-test: installing ${missing[*]}" >&2
	if [ "$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else
		echo "setup-test: need root to install ${missing[*]} (apt-get install ${missing[*]})" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || { echo "setup-test: no .venv: run scripts/setup.sh first" >&2; exit 1; }
stamp=.venv/.jitsynth-requirements-test
if ! cmp -s requirements-test.txt "$stamp"; then
	echo "setup-test: installing $(grep -v '^#' requirements-test.txt | tr '\n' ' ')into .venv" >&2
	.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	cp requirements-test.txt "$stamp"
fi
