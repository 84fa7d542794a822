"""warp_launch: the run tier's baseline, Warp's own way to run a kernel on
the CPU: build its module (Warp's LLVM-based CPU compiler, forward and
backward, as wp.launch does the first time) and launch it once on inputs
made from its signature, in one plain Python process. Warp's kernel cache
is pointed at a fresh directory, so every kernel is really built.

usage: warp_launch.py KERNELS.txt   (the output of `jitsynth sample`)
prints: kernels=N failed=F seconds=S per_kernel_ms=M cpu_per_kernel_ms=C
"""
import linecache
import os
import re
import sys
import tempfile
import time
import types

import warp as wp

wp.config.quiet = True
wp.config.kernel_cache_dir = tempfile.mkdtemp(prefix="jitsynth-bench-warp-cache-")
wp.init()

DIM = 64


def load(path):
    text = open(path).read()
    parts = re.split(r"^# kernel \d+: (\S+) \(\S+\)\n", text, flags=re.M)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


def value(t):
    """An input for one parameter of type t."""
    if wp.types.is_array(t):
        shape = (DIM,) if t.ndim == 1 else (8,) * t.ndim
        return wp.ones(shape, dtype=t.dtype, device="cpu")
    if isinstance(t, wp.codegen.Struct) or hasattr(t, "cls") and hasattr(t, "vars"):
        return t()
    if t in (wp.uint64,):
        raise ValueError("geometry id")
    if t is bool:
        return True
    return t(1)


def build_and_launch(name, source):
    modname = "launch_" + name
    filename = "<launch:%s>" % modname
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(modname)
    module.__file__ = filename
    sys.modules[modname] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
        kernel = getattr(module, name)
        inputs = [value(a.type) for a in kernel.adj.args]
        wp.launch(kernel, dim=DIM, inputs=inputs, device="cpu")
        wp.synchronize_device("cpu")
    finally:
        sys.modules.pop(modname, None)
        linecache.cache.pop(filename, None)


def main():
    kernels = load(sys.argv[1])
    failed = 0
    start = time.perf_counter()
    cpu0 = os.times()
    for name, source in kernels:
        try:
            build_and_launch(name, source)
        except Exception as e:  # a kernel Warp cannot build or we cannot feed
            failed += 1
            print("warp_launch: %s: %s" % (name, str(e).splitlines()[0] if str(e) else type(e).__name__),
                  file=sys.stderr)
    seconds = time.perf_counter() - start
    cpu1 = os.times()
    cpu = sum(cpu1[:4]) - sum(cpu0[:4])
    done = max(len(kernels) - failed, 1)
    print("kernels=%d failed=%d seconds=%.3f per_kernel_ms=%.1f cpu_per_kernel_ms=%.1f"
          % (len(kernels), failed, seconds, 1000 * seconds / done, 1000 * cpu / done))


if __name__ == "__main__":
    main()
