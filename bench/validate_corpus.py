"""validate_corpus: writes N real Warp module texts (CPU .cpp and CUDA .cu)
for bench/validate_cost.sh when no jitsynth dataset is at hand.

usage: validate_corpus.py N OUTDIR [SEED]
writes OUTDIR/kNNNN.cpp and OUTDIR/kNNNN.cu, one pair per random kernel.
The kernels are small random element-wise programs (arrays of float32 or
vec3, loops, branches, builtins), enough to exercise Warp's headers the
way generated kernels do. Runs Warp's code generator only (no GPU).
"""
import linecache
import os
import random
import sys
import types

import warp as wp
import warp._src.context as ctx

wp.config.quiet = True


def build(src, name, modname):
    fn = "<jitsynth:%s>" % modname
    linecache.cache[fn] = (len(src), None, src.splitlines(True), fn)
    mod = types.ModuleType(modname)
    mod.__file__ = fn
    sys.modules[modname] = mod
    exec(compile(src, fn, "exec"), mod.__dict__)
    k = getattr(mod, name)
    m = k.module
    opts = m.resolve_options(wp.config)
    b = ctx.ModuleBuilder(m, opts, ctx.ModuleHasher([k], opts))
    return b.codegen("cpu"), b.codegen("cuda")


def expr(r, depth, scalars):
    if depth <= 0 or r.random() < 0.3:
        if r.random() < 0.3:
            return "%.3f" % r.uniform(-3, 3)
        return r.choice(scalars)
    k = r.randrange(6)
    a = expr(r, depth - 1, scalars)
    b = expr(r, depth - 1, scalars)
    if k == 0:
        return "(%s %s %s)" % (a, r.choice("+-*"), b)
    if k == 1:
        return "wp.%s(%s)" % (r.choice(["sin", "cos", "abs", "exp", "tanh"]), a)
    if k == 2:
        return "wp.min(%s, %s)" % (a, b)
    if k == 3:
        return "wp.max(%s, %s)" % (a, b)
    if k == 4:
        return "wp.sqrt(wp.abs(%s))" % a
    return "(%s / (1.0 + wp.abs(%s)))" % (a, b)


def kernel(r, name):
    vec = r.random() < 0.4
    lines = ["import warp as wp", "", "@wp.kernel", "def %s(a: wp.array(dtype=float), b: wp.array(dtype=float), out: wp.array(dtype=%s)):" % (name, "wp.vec3" if vec else "float"), "    i = wp.tid()", "    x = a[i]", "    y = b[i]"]
    scalars = ["x", "y"]
    for j in range(r.randrange(2, 8)):
        v = "t%d" % j
        c = r.randrange(4)
        if c == 0:
            lines.append("    %s = %s" % (v, expr(r, 3, scalars)))
        elif c == 1:
            lines.append("    %s = float(0.0)" % v)
            lines.append("    for k in range(%d):" % r.randrange(2, 5))
            lines.append("        %s = %s + %s" % (v, v, expr(r, 2, scalars + ["float(k)"])))
        elif c == 2:
            lines.append("    %s = %s" % (v, expr(r, 2, scalars)))
            lines.append("    if %s > %s:" % (r.choice(scalars), expr(r, 1, scalars)))
            lines.append("        %s = %s" % (v, expr(r, 2, scalars)))
        else:
            lines.append("    %s = wp.length(wp.vec3(%s, %s, %s))" % (v, expr(r, 1, scalars), expr(r, 1, scalars), expr(r, 1, scalars)))
        scalars.append(v)
    if vec:
        lines.append("    out[i] = wp.vec3(%s, %s, %s)" % (r.choice(scalars), r.choice(scalars), expr(r, 2, scalars)))
    else:
        lines.append("    out[i] = %s" % expr(r, 2, scalars))
    return "\n".join(lines) + "\n"


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    os.makedirs(out, exist_ok=True)
    r = random.Random(seed)
    for i in range(n):
        name = "k%d" % i
        cpu, cuda = build(kernel(r, name), name, "vc_%d_%d" % (seed, i))
        with open(os.path.join(out, "k%04d.cpp" % i), "w") as f:
            f.write(cpu)
        with open(os.path.join(out, "k%04d.cu" % i), "w") as f:
            f.write(cuda)


if __name__ == "__main__":
    main()
