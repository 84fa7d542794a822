"""raw_codegen: the benchmark's baseline, Warp's own code generator driven
from one plain Python process with no I/O in the timed loop: import Warp
once, then for each kernel build it as its own module and run codegen for
CPU and CUDA (releasing the module afterwards, as a careful user would).

usage: raw_codegen.py KERNELS.txt   (the output of `jitsynth sample`)
prints: kernels=N failed=F seconds=S cpu_ms=C rate=R (cpu_ms: CPU ms per kernel)
"""
import linecache
import re
import sys
import time
import types

import warp as wp
import warp._src.context as ctx

wp.config.quiet = True


def load(path):
    text = open(path).read()
    parts = re.split(r"^# kernel \d+: (\S+) \(\S+\)\n", text, flags=re.M)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


def build(name, source):
    modname = "raw_" + name
    filename = "<raw:%s>" % modname
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(modname)
    module.__file__ = filename
    sys.modules[modname] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
        kernel = getattr(module, name)
        options = kernel.module.resolve_options(wp.config)
        builder = ctx.ModuleBuilder(
            kernel.module, options | {"output_arch": None}, ctx.ModuleHasher([kernel], options)
        )
        return builder.codegen("cpu"), builder.codegen("cuda")
    finally:
        ctx.user_modules.pop(modname, None)
        sys.modules.pop(modname, None)
        linecache.cache.pop(filename, None)


def main():
    kernels = load(sys.argv[1])
    failed = 0
    start = time.perf_counter()
    cpu0 = time.process_time()
    for name, source in kernels:
        try:
            build(name, source)
        except Exception:
            failed += 1
    seconds = time.perf_counter() - start
    cpu_ms = 1000 * (time.process_time() - cpu0) / len(kernels)
    print("kernels=%d failed=%d seconds=%.3f cpu_ms=%.1f rate=%.2f" % (len(kernels), failed, seconds, cpu_ms, len(kernels) / seconds))


if __name__ == "__main__":
    main()
