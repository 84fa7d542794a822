# env: sourced on the GPU host from the repository root after pack.sh's
# .devcarry/ arrived: unpacks Warp's Python package into /tmp/site and
# points PATH, LD_LIBRARY_PATH and PYTHONPATH at what was carried.
mkdir -p /tmp/site
[ -d /tmp/site/warp ] || tar -C /tmp/site -xzf .devcarry/warp.tgz
export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
export LD_LIBRARY_PATH=$PWD/.devcarry/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export JITSYNTH_BIN=$PWD/.devcarry/jitsynth PYTHON=${PYTHON:-$(command -v python3)}
mkdir -p bin && cp .devcarry/jitsynth bin/jitsynth
