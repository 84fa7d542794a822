"""warp_launch: the run tier's baseline, issue 11's "Warp's own path": for
each record of a jitsynth dataset, build its kernel the way a Warp user does
(import the source, wp.launch on the CPU, which compiles the module with
Warp's LLVM and runs it) on zeroed arrays of the launch shape the record's
exec object gives. Geometry kernels are skipped (their ids would need real
objects: the run tier builds them, this baseline does not), as are kernels
whose parameters this script cannot make.

usage: warp_launch.py SHARD.jsonl [LIMIT [WORKERS]]
prints (among Warp's own output): RESULT kernels=N skipped=S seconds=T per_kernel=P
"""
import json
import linecache
import os
import sys
import tempfile
import time
import types

import warp as wp

wp.config.quiet = True


def load_kernel(rec, i):
    name = rec["kernel_name"]
    modname = "wl_%d_%s" % (i, name)
    filename = "<wl:%s>" % modname
    src = rec["python_source"]
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    module = types.ModuleType(modname)
    module.__file__ = filename
    sys.modules[modname] = module
    exec(compile(src, filename, "exec"), module.__dict__)
    return getattr(module, name)


def make_args(kernel, ex):
    args = []
    shape = tuple(ex["launch"][: len(ex["launch"]) - (1 if ex.get("tiled") else 0)])
    for a in kernel.adj.args:
        p = ex["params"].get(a.label, {})
        t = a.type
        if p.get("geometry"):
            return None
        if wp.types.is_array(t):
            s = tuple(p.get("shape") or shape)
            if isinstance(t, wp.indexedarray):
                base = wp.zeros(s, dtype=t.dtype, device="cpu")
                args.append(wp.indexedarray(base, [wp.array(list(range(s[0])), dtype=int, device="cpu")]))
            elif isinstance(t, wp.fabricarray):
                return None
            else:
                args.append(wp.zeros(s, dtype=t.dtype, device="cpu", requires_grad=True))
        elif hasattr(t, "cls") and hasattr(t, "vars"):  # a @wp.struct
            args.append(t())
        else:
            args.append(t(0) if t in (wp.uint64, wp.int64) else t(1))
    return args


def launch(k, ex, args):
    dim = ex["launch"][:-1] if ex.get("tiled") else ex["launch"]
    if ex.get("tiled"):
        wp.launch_tiled(k, dim=dim, inputs=args, device="cpu", block_dim=ex["launch"][-1])
    else:
        wp.launch(k, dim=dim, inputs=args, device="cpu")
    wp.synchronize_device("cpu")


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    # WORKERS > 1: Warp's own parallel build (wp.force_load(max_workers=...),
    # threads) of every module first, then the launches
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    wp.config.kernel_cache_dir = tempfile.mkdtemp(prefix="jitsynth-warp-cache-")
    wp.init()
    recs = [json.loads(l) for l in open(path)][:limit]
    n = skipped = 0
    todo = []
    t0 = time.perf_counter()
    for i, rec in enumerate(recs):
        ex = rec.get("exec", {})
        if ex.get("status") != "executed":
            skipped += 1
            continue
        try:
            k = load_kernel(rec, i)
            args = make_args(k, ex)
            if args is None:
                skipped += 1
                continue
            if workers > 1:
                todo.append((rec, k, ex, args))
                continue
            launch(k, ex, args)
            n += 1
        except Exception as e:  # noqa: BLE001 - a baseline: count it out, go on
            print("skipped %s: %s" % (rec["kernel_name"], str(e).splitlines()[0][:100]), file=sys.stderr)
            skipped += 1
    if todo:
        wp.force_load(device="cpu", modules=[k.module for _, k, _, _ in todo], max_workers=workers)
        for rec, k, ex, args in todo:
            try:
                launch(k, ex, args)
                n += 1
            except Exception as e:  # noqa: BLE001
                print("skipped %s: %s" % (rec["kernel_name"], str(e).splitlines()[0][:100]), file=sys.stderr)
                skipped += 1
    dt = time.perf_counter() - t0
    # kernels may print (wp.printf) and Warp logs module loads: the result line is marked
    print("RESULT kernels=%d skipped=%d seconds=%.2f per_kernel=%.3f" % (n, skipped, dt, dt / max(n, 1)), flush=True)


if __name__ == "__main__":
    main()
